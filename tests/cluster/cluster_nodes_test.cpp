// Nodes of one cluster in one process, on the tests' PostgreSQL server:
// partitions are shared out without overlap, each reminder fires on the
// node holding its partition, and a node leaving hands its partitions
// over so that every reminder goes on firing on the others.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <horae/cluster/cluster_module.hpp>
#include <horae/core/config/config.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/core/virtual_actor_registry.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/reminder_ownership.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/journaling/partition.hpp>
#include <horae/journaling/postgres_leases.hpp>

#include "cluster/support/cluster_node_config.hpp"
#include "cluster/support/tcp_relay.hpp"
#include "support/postgres_schema.hpp"
#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace horae;

namespace {

constexpr uint32_t partitions = 16;

/// Every fire any node delivered: actor key -> nodes that fired it.
struct fire_log {
  std::mutex mtx;
  std::map<std::string, std::vector<std::string>> by_actor;

  void add(const std::string& actor, const std::string& node) {
    std::lock_guard<std::mutex> guard{mtx};
    by_actor[actor].push_back(node);
  }

  size_t fires_of(const std::string& actor) {
    std::lock_guard<std::mutex> guard{mtx};
    return by_actor[actor].size();
  }
};

class PostgresClusterNodes : public ::testing::Test {
protected:
  /// Starts node `id` on `db` (by default the test's schema, directly).
  std::unique_ptr<runtime> node(const std::string& id, std::string db = {}) {
    config cfg;
    cfg.add_module(timers_module());
    cfg.add_module(cluster_module());
    cfg.add_module(reminders_module());
    if (db.empty())
      db = schema.conninfo();
    test::configure_test_node(cfg, id, db, partitions);
    test::set_or_throw(
      cfg, "horae.reminders.min-period",
      caf::config_value{caf::timespan{std::chrono::milliseconds{100}}});
    test::set_or_throw(
      cfg, "horae.reminders.lookahead",
      caf::config_value{caf::timespan{std::chrono::seconds{2}}});
    auto log = fires;
    auto made = runtime::make(std::move(cfg), [log, id](runtime& rt) {
      return rt.define("billing", [log, id](actor* self) -> caf::behavior {
        self->attach<reminder_facet>();
        return {
          [self](const std::string& name) {
            if (!name.empty())
              reminders(self).upsert(name, 300ms, 300ms);
          },
          [log, id, self](const reminder_fired&) {
            log->add(self->display_name(), id);
          },
        };
      });
    });
    if (!made)
      throw std::runtime_error(describe(made.error()));
    return std::move(*made);
  }

  /// @returns the test's schema reached through `relay` (the last of a
  ///          repeated keyword wins in a connection string).
  std::string through(const test::tcp_relay& relay) {
    return schema.conninfo()
           + " host=127.0.0.1 port=" + std::to_string(relay.port());
  }

  /// @returns the port of the tests' server.
  static uint16_t server_port() {
    std::smatch m;
    auto server = test::postgres_server();
    if (!std::regex_search(server, m, std::regex{"port=([0-9]+)"}))
      throw std::runtime_error("no port in " + server);
    return static_cast<uint16_t>(std::stoi(m[1].str()));
  }

  static reminder_ownership& ownership(runtime& rt) {
    return *rt.find_service<reminder_ownership>();
  }

  /// Waits (real time) until `pred` holds, at most `bound`.
  template <class Pred>
  static bool eventually(Pred pred, std::chrono::milliseconds bound = 15s) {
    auto until = std::chrono::steady_clock::now() + bound;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > until)
        return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  test::postgres_schema schema;
  std::shared_ptr<fire_log> fires = std::make_shared<fire_log>();
};

TEST_F(PostgresClusterNodes, PartitionsAreSharedAndRemindersFollowThem) {
  auto a = node("a");
  ASSERT_TRUE(
    eventually([&] { return ownership(*a).held().size() == partitions; }))
    << "the first node did not take every partition";
  constexpr int actors = 24;
  for (int i = 0; i < actors; ++i)
    a->ref("billing", std::to_string(i))->send(std::string{"tick"});
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < actors; ++i)
      if (fires->fires_of("billing/" + std::to_string(i)) == 0)
        return false;
    return true;
  }))
    << "not every reminder fired on the only node";
  auto b = node("b");
  // The partitions split between the two without overlap.
  ASSERT_TRUE(eventually([&] {
    auto ha = ownership(*a).held();
    auto hb = ownership(*b).held();
    std::set<uint32_t> all(ha.begin(), ha.end());
    all.insert(hb.begin(), hb.end());
    return !ha.empty() && !hb.empty() && all.size() == partitions
           && ha.size() + hb.size() == partitions;
  }))
    << "the partitions did not split between two nodes";
  // Only the holder of a key's partition activates it: the other node
  // refuses with not_owner instead of starting a second activation.
  for (int i = 0; i < actors; ++i) {
    auto key = std::to_string(i);
    auto p = partition_of("billing", key, partitions);
    auto& other = ownership(*a).epoch_of(p) ? *b : *a;
    auto err = other.registry().deliver("billing", "fresh-" + key, nullptr,
                                        caf::make_message(std::string{}));
    auto fresh = partition_of("billing", "fresh-" + key, partitions);
    if (ownership(other).epoch_of(fresh))
      EXPECT_FALSE(err) << describe(err);
    else
      EXPECT_EQ(code_of(err), errc::not_owner) << describe(err);
  }
  // From now on each reminder fires on the node holding its partition.
  std::map<std::string, size_t> before;
  for (int i = 0; i < actors; ++i)
    before["billing/" + std::to_string(i)]
      = fires->fires_of("billing/" + std::to_string(i));
  std::this_thread::sleep_for(1500ms);
  {
    std::lock_guard<std::mutex> guard{fires->mtx};
    for (int i = 0; i < actors; ++i) {
      auto key = std::to_string(i);
      auto p = partition_of("billing", key, partitions);
      auto owner = ownership(*a).epoch_of(p) ? "a" : "b";
      const auto& nodes = fires->by_actor["billing/" + key];
      ASSERT_GT(nodes.size(), before["billing/" + key])
        << "billing/" << key << " stopped firing";
      for (auto n = before["billing/" + key]; n < nodes.size(); ++n)
        EXPECT_EQ(nodes[n], owner)
          << "billing/" << key << " fired on a node not holding it";
    }
  }
  // a leaves gracefully: b takes every partition at once and every
  // reminder goes on firing there.
  a.reset();
  ASSERT_TRUE(
    eventually([&] { return ownership(*b).held().size() == partitions; }, 5s))
    << "the partitions of the node that left were not taken over";
  for (int i = 0; i < actors; ++i)
    before["billing/" + std::to_string(i)]
      = fires->fires_of("billing/" + std::to_string(i));
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < actors; ++i) {
      auto key = "billing/" + std::to_string(i);
      if (fires->fires_of(key) <= before[key])
        return false;
    }
    return true;
  }))
    << "a reminder stopped firing after its node left";
}

// A node whose database connection freezes (no byte passes, nothing closes)
// cannot renew, and its heartbeat waits out the statement timeout. Its
// actors end at the leases' safe end all the same, before the leases can
// expire and another node may activate them; that node then does.
TEST_F(PostgresClusterNodes, FrozenConnectionEndsActivationsBeforeExpiry) {
  test::tcp_relay relay{server_port()};
  auto a = node("a", through(relay));
  ASSERT_TRUE(
    eventually([&] { return ownership(*a).held().size() == partitions; }))
    << "the node did not take every partition";
  auto p = partition_of("billing", "frozen", partitions);
  ASSERT_FALSE(a->registry().deliver("billing", "frozen", nullptr,
                                     caf::make_message(std::string{})));
  ASSERT_EQ(a->registry().active_count(), 1u);
  relay.freeze();
  auto b = node("b");
  // Polled together: a's activation must be gone while b cannot yet hold
  // the partition.
  bool b_held_first = false;
  ASSERT_TRUE(eventually(
    [&] {
      if (ownership(*b).epoch_of(p))
        b_held_first = a->registry().active_count() != 0;
      return a->registry().active_count() == 0;
    },
    4s))
    << "the activation outlived the leases' safe end on a frozen connection";
  EXPECT_FALSE(b_held_first)
    << "another node held the partition while the activation lived on";
  EXPECT_FALSE(ownership(*a).epoch_of(p));
  EXPECT_EQ(code_of(a->registry().deliver("billing", "frozen", nullptr,
                                          caf::make_message(std::string{}))),
            errc::not_owner);
  // The successor takes over once the leases expired, and activates.
  ASSERT_TRUE(eventually([&] { return ownership(*b).epoch_of(p).has_value(); }))
    << "no node took over the frozen node's partitions";
  EXPECT_FALSE(b->registry().deliver("billing", "frozen", nullptr,
                                     caf::make_message(std::string{})));
  EXPECT_EQ(b->registry().active_count(), 1u);
  relay.thaw(); // a stops without waiting out its timeouts
}

// Two processes under one node id would each act as that node: a second
// start while the first one runs is refused, naming the id.
TEST_F(PostgresClusterNodes, NodeIdOfARunningNodeIsRefused) {
  auto a = node("a");
  try {
    auto again = node("a");
    ADD_FAILURE() << "a second node 'a' started beside the running one";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("node id 'a' is in use by a running process"),
              std::string::npos)
      << what;
  }
  EXPECT_EQ(ownership(*a).incarnation(), 1u);
}

// A process that ended without leaving (a crash) left a registration that
// nobody renews: a new start under its id takes over without waiting for
// the registration to expire.
TEST_F(PostgresClusterNodes, RegistrationOfACrashedNodeIsTakenOver) {
  postgres_store_options opts;
  opts.conninfo = schema.conninfo();
  opts.node_id = "c";
  opts.partitions = partitions;
  auto crashed = postgres_leases::open(opts, "");
  ASSERT_TRUE(crashed) << describe(crashed.error());
  ASSERT_TRUE((*crashed)->register_node(60s)); // then never renewed
  auto started = std::chrono::steady_clock::now();
  auto c = node("c");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s)
    << "the start waited for the crashed registration to expire";
  EXPECT_EQ(ownership(*c).incarnation(), 2u);
  EXPECT_TRUE(
    eventually([&] { return ownership(*c).held().size() == partitions; }))
    << "the restarted node did not take its partitions";
}

} // namespace
