// Bad input and lost peers end in error values within bounded time, never
// in a crash or a hang.
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include <caf/make_message.hpp>

#include <horae/cluster/partition.hpp>
#include <horae/core/error.hpp>

#include "cluster/support/tcp_relay.hpp"
#include "cluster/support/transport_node.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace horae::test;

namespace {

using std::chrono::steady_clock;

/// Starts a runtime with `opts` and returns why it failed (or no error).
caf::error start_error(const cluster::transport_options& opts,
                       bool manual_time = false) {
  config cfg;
  cfg.manual_time = manual_time;
  cfg.add_module(cluster::transport_module(
    opts, std::make_shared<static_ownership>("x", test_partitions)));
  auto rt = runtime::make(std::move(cfg));
  return rt ? caf::error{} : rt.error();
}

/// Delivers from a lone node "a" whose view names `owner` (or nobody) for
/// every partition.
caf::error deliver_from_lone_node(std::optional<cluster::node_address> owner) {
  auto a = start_node("a", std::make_shared<inbox>());
  if (owner)
    a.view->assign_all(*owner);
  return a.deliver_int("k1", 1);
}

bool mentions(const caf::error& err, const std::string& text) {
  return describe(err).find(text) != std::string::npos;
}

} // namespace

// A port another router already uses fails the runtime's start.
TEST(TransportFailure, PortInUseFailsStart) {
  auto received = std::make_shared<inbox>();
  auto a = start_node("a", received);
  auto opts = fast_options("b");
  opts.port = a.router->port();
  auto err = start_error(opts);
  EXPECT_EQ(code_of(err), errc::invalid_config);
  EXPECT_TRUE(mentions(err, "cannot publish")) << describe(err);
}

// A host that is no address fails the runtime's start.
TEST(TransportFailure, BadHostFailsStart) {
  auto opts = fast_options("b");
  opts.host = "300.1.2.3";
  auto err = start_error(opts);
  EXPECT_EQ(code_of(err), errc::invalid_config) << describe(err);
}

// Options that cannot work, and manual time, are refused up front.
TEST(TransportFailure, InvalidOptionsAndManualTimeFailStart) {
  auto no_id = fast_options("");
  EXPECT_EQ(code_of(start_error(no_id)), errc::invalid_config);
  auto no_timeout = fast_options("b");
  no_timeout.connection_timeout = no_timeout.heartbeat_interval;
  EXPECT_EQ(code_of(start_error(no_timeout)), errc::invalid_config);
  auto err = start_error(fast_options("b"), true);
  EXPECT_EQ(code_of(err), errc::invalid_config);
  EXPECT_TRUE(mentions(err, "manual time")) << describe(err);
}

// An owner nobody listens for: retried within the bounds, then an error
// that names the node.
TEST(TransportFailure, UnreachableOwnerGivesError) {
  auto err
    = deliver_from_lone_node(cluster::node_address{"ghost", "127.0.0.1", 1});
  EXPECT_EQ(code_of(err), errc::timeout);
  EXPECT_TRUE(mentions(err, "cannot reach node 'ghost'")) << describe(err);
}

// A partition without an owner: retried, then an error.
TEST(TransportFailure, UnownedPartitionGivesError) {
  auto err = deliver_from_lone_node(std::nullopt);
  EXPECT_EQ(code_of(err), errc::timeout);
  EXPECT_TRUE(mentions(err, "no owner")) << describe(err);
}

// A partition that gets an owner while the delivery waits (a failover):
// waiting for an owner costs no attempt, so the message reaches it within
// the deadline instead of failing after `max_attempts` quick retries.
TEST(TransportFailure, OwnerThatAppearsWithinTheDeadlineReceives) {
  auto received = std::make_shared<inbox>();
  auto a = start_node("a", received);
  auto b = start_node("b", received);
  b.view->assign_all(b.address());
  std::thread failover{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds{700});
    a.view->assign_all(b.address());
  }};
  auto err = a.deliver_int("k1", 1);
  failover.join();
  EXPECT_FALSE(err) << describe(err);
  EXPECT_EQ(received->wait_for(1), std::vector<std::string>{"b/k1:1"});
}

// A peer whose runtime shut down: the cached handle goes with its down
// message, and the next delivery ends in an error within the bounds.
TEST(TransportFailure, PeerShutDownGivesErrorNotHang) {
  auto [a, b] = start_sender_and_owner(std::make_shared<inbox>());
  ASSERT_FALSE(a.deliver_int("k1", 1));
  b.rt->shutdown();
  auto start = steady_clock::now();
  auto err = a.deliver_int("k1", 2);
  EXPECT_NE(code_of(err), errc::none);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds{4});
}

// Once the view names a new owner for a lost peer's partitions, deliveries
// go there.
TEST(TransportFailure, PeerShutDownThenNewOwnerReceives) {
  auto received = std::make_shared<inbox>();
  auto [a, b] = start_sender_and_owner(received);
  auto c = start_node("c", received);
  c.view->assign_all(c.address());
  ASSERT_FALSE(a.deliver_int("k1", 1));
  b.rt->shutdown();
  a.view->assign_all(c.address());
  EXPECT_FALSE(a.deliver_int("k1", 2));
  EXPECT_EQ(received->wait_for(2),
            (std::vector<std::string>{"b/k1:1", "c/k1:2"}));
}

// A peer that stops answering while its connection stays open (a frozen
// process, a black-holed network): the BASP heartbeats notice within the
// connection timeout, and the delivery fails long before its forward
// timeout would have.
TEST(TransportFailure, FrozenPeerDetectedByConnectionTimeout) {
  using namespace std::chrono_literals;
  auto received = std::make_shared<inbox>();
  auto opts = fast_options("a");
  opts.forward_timeout = 30s;
  opts.delivery_deadline = 60s;
  auto a = start_node("a", received, opts);
  auto b = start_node("b", received);
  tcp_relay relay{b.router->port()};
  a.view->assign_all({"b", "127.0.0.1", relay.port()});
  b.view->assign_all(b.address());
  ASSERT_FALSE(a.deliver_int("k1", 1));
  relay.freeze();
  auto start = steady_clock::now();
  auto err = a.deliver_int("k1", 2);
  EXPECT_EQ(code_of(err), errc::closed) << describe(err);
  EXPECT_LT(steady_clock::now() - start, 5s);
  EXPECT_EQ(received->wait_for(2, 0ms), std::vector<std::string>{"b/k1:1"});
}

// A delivery still retrying when its router stops learns `closed`; a
// delivery after the router stopped does too, at once.
TEST(TransportFailure, StoppedRouterEndsPendingDeliveries) {
  using namespace std::chrono_literals;
  auto opts = fast_options("a");
  opts.max_attempts = 1000;
  opts.delivery_deadline = 60s;
  auto a = start_node("a", std::make_shared<inbox>(), opts);
  auto pending = a.start_delivery("counter", "k1", caf::make_message(1));
  EXPECT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  a.router->stop();
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(code_of(pending.get()), errc::closed);
  EXPECT_EQ(code_of(a.deliver_int("k1", 2)), errc::closed);
}

// Nodes that disagree on the partition count: the owner refuses the
// message instead of delivering it under a partition it may not hold.
TEST(TransportFailure, PartitionCountMismatchIsRefused) {
  auto received = std::make_shared<inbox>();
  auto a = start_node("a", received);
  auto b = start_node("b", received, fast_options("b"), test_partitions * 2);
  a.view->assign_all(b.address());
  b.view->assign_all(b.address());
  // A key whose partition differs between the two counts.
  std::string key = "k0";
  for (int i = 1; cluster::partition_of("counter", key, test_partitions)
                  == cluster::partition_of("counter", key, test_partitions * 2);
       ++i)
    key = "k" + std::to_string(i);
  auto err = a.deliver_int(key, 1);
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_TRUE(mentions(err, "partition count")) << describe(err);
}
