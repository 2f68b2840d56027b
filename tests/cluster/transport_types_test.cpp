// User message types between nodes: announced ones cross, unannounced ones
// are refused at the send with an error naming the element.
#include <string>

#include <caf/make_message.hpp>

#include <horae/cluster/transport/announced_types.hpp>
#include <horae/core/error.hpp>

#include "cluster/support/transport_node.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace horae::test;

namespace {

/// Announced on every node below.
struct point {
  int32_t x = 0;
  int32_t y = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, point& p) {
  return f(p.x, p.y);
}

/// Never announced.
struct secret {
  int32_t value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, secret& s) {
  return f(s.value);
}

cluster::transport_options with_point(std::string id) {
  auto opts = fast_options(std::move(id));
  opts.announce<point>("horae.test.point");
  return opts;
}

} // namespace

// A message with an unannounced type fails at once with invalid_argument;
// nothing reaches the owner.
TEST(TransportTypes, UnannouncedTypeIsRefusedAtTheSend) {
  auto received = std::make_shared<inbox>();
  auto [a, b]
    = start_sender_and_owner(received, with_point("a"), with_point("b"));
  auto err = a.deliver("counter", "k1", caf::make_message(secret{}));
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_NE(describe(err).find("announce"), std::string::npos) << describe(err);
  EXPECT_EQ(b.rt->registry().incarnations("counter", "k1"), 0u);
}

// An announced type crosses nodes and reaches the virtual actor intact.
TEST(TransportTypes, AnnouncedTypeCrossesNodes) {
  auto received = std::make_shared<inbox>();
  auto [a, b]
    = start_sender_and_owner(received, with_point("a"), with_point("b"));
  ASSERT_FALSE(b.rt->define("plotter", [received](actor*) {
    return caf::behavior{[=](const point& p) {
      received->add("b:" + std::to_string(p.x) + "," + std::to_string(p.y));
    }};
  }));
  EXPECT_FALSE(a.deliver("plotter", "k1", caf::make_message(point{2, 3})));
  EXPECT_EQ(received->wait_for(1), std::vector<std::string>{"b:2,3"});
}

// The check itself: built-in types pass, announced ones pass, others not.
TEST(TransportTypes, CheckAcceptsBuiltinAndAnnouncedTypesOnly) {
  auto received = std::make_shared<inbox>();
  auto a = start_node("a", received, with_point("a"));
  auto& sys = a.rt->system();
  EXPECT_FALSE(cluster::check_announced(
    sys, caf::make_message(int32_t{1}, std::string{"s"}, point{})));
  auto err
    = cluster::check_announced(sys, caf::make_message(int32_t{1}, secret{}));
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_NE(describe(err).find("element 1"), std::string::npos)
    << describe(err);
}
