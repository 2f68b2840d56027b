// Routing between nodes on 127.0.0.1: local delivery, forwarding to the
// owner, and re-routing after a `moved` answer. Each node is a runtime with
// its own actor system and middleman in this process.
#include <string>

#include <caf/make_message.hpp>

#include <horae/cluster/partition.hpp>
#include <horae/core/error.hpp>

#include "cluster/support/transport_node.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace horae::test;

namespace {

uint32_t partition_of_counter(const std::string& key) {
  return cluster::partition_of("counter", key, test_partitions);
}

} // namespace

// A partition held here goes to the local virtual actor, reported at once.
TEST(TransportRouter, HeldPartitionIsDeliveredLocally) {
  auto received = std::make_shared<inbox>();
  auto a = start_node("a", received);
  a.view->assign_all(a.address());
  EXPECT_FALSE(a.deliver_int("k1", 7));
  EXPECT_EQ(received->wait_for(1), std::vector<std::string>{"a/k1:7"});
}

// A partition owned by another node is forwarded to that node's router,
// which hands it to its virtual actor; the sender activates nothing.
TEST(TransportRouter, ForwardedToOwnerAndDeliveredThere) {
  auto received = std::make_shared<inbox>();
  auto [a, b] = start_sender_and_owner(received);
  EXPECT_FALSE(a.deliver_int("k1", 1));
  EXPECT_FALSE(a.deliver("counter", "k1", caf::make_message(std::string{"x"})));
  EXPECT_EQ(received->wait_for(2),
            (std::vector<std::string>{"b/k1:1", "b/k1:x"}));
  EXPECT_EQ(a.rt->registry().incarnations("counter", "k1"), 0u);
}

// A router that does not hold the partition answers `moved`; the sender
// reads its (by then refreshed) view again and reaches the new owner.
TEST(TransportRouter, MovedAnswerReroutesToNewOwner) {
  auto received = std::make_shared<inbox>();
  auto a = start_node("a", received);
  auto b = start_node("b", received);
  auto c = start_node("c", received);
  auto p = partition_of_counter("k1");
  a.view->assign_all(b.address());
  a.view->assign_after_next_read(p, c.address());
  b.view->assign_all(c.address());
  c.view->assign_all(c.address());
  EXPECT_FALSE(a.deliver_int("k1", 3));
  EXPECT_EQ(received->wait_for(1), std::vector<std::string>{"c/k1:3"});
  EXPECT_EQ(b.rt->registry().incarnations("counter", "k1"), 0u);
}

// The owner's own refusal, an undefined actor type, reaches the sender.
TEST(TransportRouter, OwnersErrorIsReported) {
  auto [a, b] = start_sender_and_owner(std::make_shared<inbox>());
  auto err = a.deliver("no-such-type", "k1", caf::make_message(int32_t{1}));
  EXPECT_EQ(code_of(err), errc::not_found) << describe(err);
}
