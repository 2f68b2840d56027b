// Messages between the nodes of a cluster: the transport reads the node's
// leases, so a message sent on any node reaches the actor on the node that
// holds its partition, and nowhere else.
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <caf/scoped_actor.hpp>

#include <horae/cluster/cluster_module.hpp>
#include <horae/cluster/transport/router.hpp>
#include <horae/cluster/transport/transport_module.hpp>
#include <horae/core/config/config.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_ownership.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/journaling/partition.hpp>

#include "cluster/support/cluster_node_config.hpp"
#include "cluster/support/transport_node.hpp"
#include "support/postgres_schema.hpp"
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using namespace horae;

namespace {

constexpr uint32_t partitions = 16;

/// A port nothing listens on right now (the OS picks it).
uint16_t free_port() {
  auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Which node each cart received its message on.
struct received {
  std::mutex mtx;
  std::map<std::string, std::string> node_of;
};

class PostgresClusterMessages : public ::testing::Test {
protected:
  std::unique_ptr<runtime> node(const std::string& id) {
    auto port = free_port();
    auto view = make_lease_view();
    auto opts = test::fast_options(id);
    opts.port = port;
    config cfg;
    cfg.add_module(timers_module());
    cfg.add_module(cluster_module(view));
    cfg.add_module(cluster::transport_module(opts, view));
    cfg.add_module(reminders_module());
    test::configure_test_node(cfg, id, schema.conninfo(), partitions);
    test::set_or_throw(cfg, "horae.cluster.endpoint",
                       caf::config_value{"127.0.0.1:" + std::to_string(port)});
    auto log = inbox;
    auto made = runtime::make(std::move(cfg), [log, id](runtime& rt) {
      return rt.define("cart", [log, id](actor* self) -> caf::behavior {
        return {
          [log, id, self](const std::string& item) {
            {
              std::lock_guard<std::mutex> guard{log->mtx};
              log->node_of[self->display_name()] = id;
            }
            // "where": the sender asks which node answers.
            if (item == "where" && self->current_sender() != nullptr)
              self->send(caf::actor_cast<caf::actor>(self->current_sender()),
                         self->display_name() + "@" + id);
          },
        };
      });
    });
    if (!made)
      throw std::runtime_error(describe(made.error()));
    return std::move(*made);
  }

  static reminder_ownership& ownership(runtime& rt) {
    return *rt.find_service<reminder_ownership>();
  }

  /// Starts nodes a and b and waits until they share the partitions and
  /// each has read the other's.
  void start_two_nodes() {
    a = node("a");
    b = node("b");
    auto until = std::chrono::steady_clock::now() + 15s;
    auto split = [&] {
      auto ha = ownership(*a).held().size();
      auto hb = ownership(*b).held().size();
      return ha > 0 && hb > 0 && ha + hb == partitions;
    };
    while (!split() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(split()) << "the partitions did not split";
    std::this_thread::sleep_for(300ms); // one more heartbeat reads the owners
  }

  /// @returns keys of "cart" whose partition b holds, `n` of them.
  std::vector<std::string> keys_on_b(size_t n) {
    std::vector<std::string> keys;
    for (int i = 0; keys.size() < n; ++i) {
      auto key = "k" + std::to_string(i);
      if (ownership(*b).epoch_of(partition_of("cart", key, partitions)))
        keys.push_back(key);
    }
    return keys;
  }

  test::postgres_schema schema;
  std::shared_ptr<received> inbox = std::make_shared<received>();
  std::unique_ptr<runtime> a;
  std::unique_ptr<runtime> b;
};

/// Not announced to the transport: cannot cross nodes.
struct unannounced {
  int32_t value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, unannounced& x) {
  return f(x.value);
}

TEST_F(PostgresClusterMessages, MessagesReachTheNodeHoldingThePartition) {
  start_two_nodes();
  auto* router = a->find_service<cluster::router>();
  ASSERT_NE(router, nullptr);
  constexpr int carts = 20;
  for (int i = 0; i < carts; ++i) {
    std::promise<caf::error> outcome;
    router->deliver(
      "cart", std::to_string(i), caf::make_message(std::string{"item"}),
      [&outcome](const caf::error& err) { outcome.set_value(err); });
    auto err = outcome.get_future().get();
    EXPECT_FALSE(err) << "cart " << i << ": " << describe(err);
  }
  std::lock_guard<std::mutex> guard{inbox->mtx};
  ASSERT_EQ(inbox->node_of.size(), static_cast<size_t>(carts));
  int remote = 0;
  for (int i = 0; i < carts; ++i) {
    auto key = std::to_string(i);
    auto p = partition_of("cart", key, partitions);
    auto owner = ownership(*a).epoch_of(p) ? "a" : "b";
    EXPECT_EQ(inbox->node_of["cart/" + key], owner)
      << "cart " << key << " was activated off its partition's holder";
    remote += owner == std::string{"b"};
  }
  EXPECT_GT(remote, 0) << "no message crossed nodes";
}

// runtime::ref works on every node: a message sent on a for an actor whose
// partition b holds reaches it on b, and its reply comes back to the
// sender on a through CAF's proxies.
TEST_F(PostgresClusterMessages, RefOnAnyNodeReachesTheOwnerAndRepliesReturn) {
  start_two_nodes();
  auto keys = keys_on_b(5);
  caf::scoped_actor self{a->system()};
  for (const auto& key : keys) {
    auto ref = a->ref("cart", key);
    ASSERT_TRUE(ref) << describe(ref.error());
    auto err = ref->send_as(self, std::string{"where"});
    EXPECT_FALSE(err) << key << ": " << describe(err);
  }
  std::set<std::string> replies;
  for (size_t i = 0; i < keys.size(); ++i)
    self->receive(
      [&](const std::string& where) { replies.insert(where); },
      caf::after(std::chrono::seconds{10}) >>
        [&] { ADD_FAILURE() << "a reply did not come back across nodes"; });
  std::set<std::string> expected;
  for (const auto& key : keys)
    expected.insert("cart/" + key + "@b");
  EXPECT_EQ(replies, expected);
  EXPECT_EQ(a->registry().active_count(), 0u)
    << "node a activated an actor whose partition it does not hold";
}

// A message type that was never announced cannot cross nodes: sending it
// through runtime::ref to another node's actor fails at once, with the
// reason; to an actor of this node it needs no announcing.
TEST_F(PostgresClusterMessages, UnannouncedTypeThroughRefIsRefused) {
  start_two_nodes();
  auto remote = a->ref("cart", keys_on_b(1).front());
  ASSERT_TRUE(remote);
  auto err = remote->send(unannounced{1});
  EXPECT_EQ(code_of(err), errc::invalid_argument) << describe(err);
  EXPECT_NE(describe(err).find("announce"), std::string::npos) << describe(err);
  EXPECT_EQ(b->registry().incarnations("cart", remote->key()), 0u);
}

} // namespace
