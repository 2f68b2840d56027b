// The partition lease contract on PostgreSQL: claims are compare-and-set
// (free or expired only, one winner), renewals keep leases, releases hand
// over at once, and a fenced store's writes for a partition it lost are
// refused, even when the former owner does not know yet.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <horae/journaling/postgres_leases.hpp>

#include "journaling/store_fixture.hpp"

using namespace std::chrono_literals;
using namespace horae;
using horae::test::has_code;
using horae::test::make_record;
using horae::test::postgres_schema;

namespace {

constexpr uint32_t partitions = 8;

std::vector<uint32_t> all_partitions() {
  std::vector<uint32_t> xs;
  for (uint32_t p = 0; p < partitions; ++p)
    xs.push_back(p);
  return xs;
}

class PostgresLeases : public horae::test::store_test {
protected:
  postgres_store_options options(const std::string& node) const {
    postgres_store_options opts;
    opts.conninfo = schema.conninfo();
    opts.node_id = node;
    opts.partitions = partitions;
    opts.time_source = &clk;
    return opts;
  }

  std::unique_ptr<postgres_leases> join(const std::string& node) {
    auto leases = postgres_leases::open(options(node), node + ":7000");
    if (!leases) {
      ADD_FAILURE() << describe(leases.error());
      return nullptr;
    }
    auto incarnation = (*leases)->register_node(10s);
    EXPECT_TRUE(incarnation) << describe(incarnation.error());
    incarnations[node] = incarnation ? *incarnation : 0;
    return std::move(*leases);
  }

  /// A store whose writes are fenced by `held` (partition -> epoch), as a
  /// node's lease manager would fence them.
  std::unique_ptr<reminder_store>
  fenced_store(const std::string& node,
               std::shared_ptr<std::map<uint32_t, uint64_t>> held) {
    auto opts = options(node);
    opts.incarnation = incarnations[node];
    opts.fence = [held](uint32_t p) -> std::optional<uint64_t> {
      auto i = held->find(p);
      return i != held->end() ? std::optional{i->second} : std::nullopt;
    };
    auto store = open_postgres_store(std::move(opts));
    if (!store) {
      ADD_FAILURE() << describe(store.error());
      return nullptr;
    }
    return std::move(*store);
  }

  postgres_schema schema;
  std::map<std::string, uint64_t> incarnations;
};

TEST_F(PostgresLeases, ClaimsTakeOnlyFreeOrExpiredLeasesWithANewEpoch) {
  auto a = join("a");
  auto b = join("b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->partitions(), partitions);
  auto won = a->claim(all_partitions(), 300ms);
  ASSERT_TRUE(won) << describe(won.error());
  ASSERT_EQ(won->size(), partitions);
  for (auto& grant : *won)
    EXPECT_EQ(grant.epoch, 1u);
  auto none = b->claim(all_partitions(), 10s);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty()) << "took a lease that had not expired";
  std::this_thread::sleep_for(400ms); // the database clock passes the expiry
  auto taken = b->claim(all_partitions(), 10s);
  ASSERT_TRUE(taken);
  ASSERT_EQ(taken->size(), partitions);
  for (auto& grant : *taken)
    EXPECT_EQ(grant.epoch, 2u) << "a change of hands must raise the epoch";
  auto renewed = a->renew(10s);
  ASSERT_TRUE(renewed);
  EXPECT_TRUE(renewed->empty()) << "the former owner renewed a lost lease";
}

TEST_F(PostgresLeases, RenewalKeepsLeasesAndReleaseHandsOverAtOnce) {
  auto a = join("a");
  auto b = join("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->claim(all_partitions(), 300ms));
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(100ms);
    auto held = a->renew(300ms);
    ASSERT_TRUE(held);
    EXPECT_EQ(held->size(), partitions);
  }
  auto none = b->claim(all_partitions(), 10s);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  ASSERT_FALSE(a->release({3}));
  auto three = b->claim({3}, 10s);
  ASSERT_TRUE(three);
  ASSERT_EQ(three->size(), 1u);
  EXPECT_EQ(three->front().epoch, 2u);
  auto owners = b->owners();
  ASSERT_TRUE(owners);
  ASSERT_EQ(owners->size(), partitions);
  EXPECT_EQ((*owners)[3].node_id, "b");
  EXPECT_EQ((*owners)[3].endpoint, "b:7000");
  EXPECT_EQ((*owners)[0].node_id, "a");
}

TEST_F(PostgresLeases, ConcurrentClaimsHaveExactlyOneWinnerPerPartition) {
  std::vector<std::unique_ptr<postgres_leases>> nodes;
  for (auto id : {"a", "b", "c"})
    nodes.push_back(join(id));
  std::mutex mtx;
  std::map<uint32_t, int> winners;
  std::vector<std::thread> claimers;
  for (auto& node : nodes)
    claimers.emplace_back([&, n = node.get()] {
      auto won = n->claim(all_partitions(), 10s);
      ASSERT_TRUE(won) << describe(won.error());
      std::lock_guard<std::mutex> guard{mtx};
      for (auto& grant : *won)
        ++winners[grant.partition];
    });
  for (auto& th : claimers)
    th.join();
  ASSERT_EQ(winners.size(), partitions);
  for (auto& [p, n] : winners)
    EXPECT_EQ(n, 1) << "partition " << p << " has " << n << " owners";
}

TEST_F(PostgresLeases, RegisteringAgainStartsANewIncarnation) {
  auto a = join("a");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->claim(all_partitions(), 10s));
  auto again = postgres_leases::open(options("a"), "a:7001");
  ASSERT_TRUE(again);
  auto incarnation = (*again)->register_node(10s);
  ASSERT_TRUE(incarnation);
  EXPECT_EQ(*incarnation, incarnations["a"] + 1);
  auto held = (*again)->renew(10s);
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->empty()) << "a new incarnation inherited leases";
  auto live = (*again)->live_nodes();
  ASSERT_TRUE(live);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ(live->front().endpoint, "a:7001");
  ASSERT_FALSE((*again)->leave());
  live = (*again)->live_nodes();
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->empty());
}

// The former owner still believes it holds the partition (its fence says
// epoch 1), but a successor took it over: its writes change nothing and
// fail with not_owner; the successor's go through. A write for a partition
// the node's own fence does not list never reaches the database.
TEST_F(PostgresLeases, FormerOwnersWritesAreFencedAfterATakeover) {
  auto a = join("a");
  auto b = join("b");
  ASSERT_TRUE(a && b);
  auto a_held = std::make_shared<std::map<uint32_t, uint64_t>>();
  auto b_held = std::make_shared<std::map<uint32_t, uint64_t>>();
  auto won = a->claim(all_partitions(), 300ms);
  ASSERT_TRUE(won);
  for (auto& grant : *won)
    (*a_held)[grant.partition] = grant.epoch;
  auto a_store = fenced_store("a", a_held);
  auto b_store = fenced_store("b", b_held);
  ASSERT_TRUE(a_store && b_store);
  auto first = a_store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(first) << describe(first.error());
  auto refused = b_store->upsert(make_record(clk, "1", "s"), false);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(has_code(refused.error(), errc::not_owner))
    << describe(refused.error());
  std::this_thread::sleep_for(400ms);
  auto taken = b->claim(all_partitions(), 10s);
  ASSERT_TRUE(taken);
  for (auto& grant : *taken)
    (*b_held)[grant.partition] = grant.epoch;
  auto stale
    = a_store->record_fire(first->key, first->revision, 1, clk.wall_now() + 1h);
  ASSERT_FALSE(stale) << "a fenced-off owner recorded a fire";
  EXPECT_TRUE(has_code(stale.error(), errc::not_owner))
    << describe(stale.error());
  auto stale_upsert = a_store->upsert(make_record(clk, "1", "r"), true);
  ASSERT_FALSE(stale_upsert);
  EXPECT_TRUE(has_code(stale_upsert.error(), errc::not_owner));
  auto row = b_store->get(first->key);
  ASSERT_TRUE(row && row->has_value());
  EXPECT_EQ((*row)->fire_count, 0u) << "the fenced write changed the row";
  auto fired
    = b_store->record_fire(first->key, first->revision, 1, clk.wall_now() + 1h);
  ASSERT_TRUE(fired) << describe(fired.error());
  EXPECT_TRUE(*fired);
}

// A node reads only the reminders of the partitions it holds.
TEST_F(PostgresLeases, DueAfterReturnsOnlyHeldPartitions) {
  auto opts = options("a");
  auto held = std::make_shared<std::vector<uint32_t>>();
  opts.held_partitions = [held] { return *held; };
  auto store = open_postgres_store(opts);
  ASSERT_TRUE(store) << describe(store.error());
  std::map<uint32_t, int> per_partition;
  for (int i = 0; i < 40; ++i) {
    auto rec = make_record(clk, std::to_string(i), "r");
    ASSERT_TRUE((*store)->upsert(rec, false));
    ++per_partition[partition_of("account", std::to_string(i), partitions)];
  }
  auto limit = clk.wall_now() + 1h;
  auto none = (*store)->due_after(due_position::start(), limit, 100);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  *held = {per_partition.begin()->first};
  auto some = (*store)->due_after(due_position::start(), limit, 100);
  ASSERT_TRUE(some);
  EXPECT_EQ(static_cast<int>(some->size()), per_partition.begin()->second);
  for (auto& rec : *some)
    EXPECT_EQ(partition_of(rec.key.actor_type, rec.key.actor_key, partitions),
              held->front());
}

} // namespace
