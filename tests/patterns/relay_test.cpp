// detail::relay: any response content or error comes back unchanged.
#include <horae/patterns/detail/relay.hpp>

#include "patterns/support/pattern_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

// A response of any type comes back as the message the receiver produced.
TEST(Relay, ReturnsAnyResponseContent) {
  auto rt = test::timer_runtime();
  auto echo = rt->spawn([](actor*) -> caf::behavior {
    return {[](const std::string& s) { return s + "!"; }};
  });
  auto out = std::make_shared<std::vector<std::string>>();
  auto client = test::spawn_client(*rt);
  test::in_actor(*rt, client, [&](actor* self) {
    detail::relay(self, echo, caf::make_message(std::string{"hi"}),
                  caf::infinite, [out](caf::expected<caf::message> x) {
                    ASSERT_TRUE(x);
                    out->push_back(x->get_as<std::string>(0));
                  });
  });
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0), "hi!");
}

// An error response comes back as that error.
TEST(Relay, ReturnsErrors) {
  auto rt = test::timer_runtime();
  auto failing = rt->spawn([](actor*) -> caf::behavior {
    return {[](int) -> caf::result<int> {
      return make_error(errc::not_found, "nope");
    }};
  });
  auto client = test::spawn_client(*rt);
  errc code = errc::none;
  test::in_actor(*rt, client, [&](actor* self) {
    detail::relay(
      self, failing, caf::make_message(1), caf::infinite,
      [&code](caf::expected<caf::message> x) { code = code_of(x.error()); });
  });
  EXPECT_EQ(code, errc::not_found);
}
