// The keyed timer table on its own: a fire that is already in the mailbox
// when its timer is cancelled, re-armed or its slot reused never counts, and
// a deadline beyond the service's range is reached in hops, never early.
#include <vector>

#include <horae/facets/timer_due.hpp>

#include "facets/support/timer_harness.hpp"
#include "timers/keyed_timers.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

using table = detail::keyed_timers<std::string, int>;

/// A runtime, an actor that only collects raw fires, and a table bound to
/// both. Fires are fed to the table by hand, in the order a test chooses.
struct fixture {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  std::vector<timer_due> fires;
  table timers;
  caf::actor collector;

  fixture() {
    collector = rt->spawn([this](actor*) -> caf::behavior {
      return {[this](const timer_due& x) { fires.push_back(x); }};
    });
    auto ptr = caf::actor_cast<caf::abstract_actor*>(collector);
    timers.bind(static_cast<actor*>(ptr), rt->find_service<timer_service>());
  }

  ~fixture() {
    timers.bind(nullptr, nullptr);
  }

  /// Advances time and returns the fires that arrived meanwhile.
  std::vector<timer_due> advance(clock::duration d) {
    rt->advance(d);
    auto result = std::move(fires);
    fires.clear();
    return result;
  }
};

} // namespace

TEST(KeyedTimers, FireQueuedBeforeACancelIsStale) {
  fixture f;
  auto id = f.timers.emplace("a").first;
  ASSERT_FALSE(f.timers.arm(id, f.rt->clock().now() + 10ms));
  auto fired = f.advance(10ms);
  ASSERT_EQ(fired.size(), 1u);
  f.timers.disarm(id); // the fire is in the mailbox already
  EXPECT_FALSE(f.timers.accept(fired[0]));
  EXPECT_FALSE(f.timers.armed(id));
}

TEST(KeyedTimers, FireOfAnEarlierArmingIsStaleAndTheNewOneCounts) {
  fixture f;
  auto id = f.timers.emplace("a").first;
  ASSERT_FALSE(f.timers.arm(id, f.rt->clock().now() + 10ms));
  auto first = f.advance(10ms);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_FALSE(f.timers.arm(id, f.rt->clock().now() + 5ms)); // replace
  EXPECT_FALSE(f.timers.accept(first[0]));
  auto second = f.advance(5ms);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(f.timers.accept(second[0]), id);
  EXPECT_FALSE(f.timers.accept(second[0])) << "a fire counts once";
}

TEST(KeyedTimers, SlotReusedByAnotherKeyIgnoresTheOldFire) {
  fixture f;
  auto a = f.timers.emplace("a").first;
  ASSERT_FALSE(f.timers.arm(a, f.rt->clock().now() + 10ms));
  auto fired = f.advance(10ms);
  ASSERT_EQ(fired.size(), 1u);
  f.timers.erase(a);
  auto [b, added] = f.timers.emplace("b");
  ASSERT_TRUE(added);
  ASSERT_EQ(b, a) << "the freed slot is reused";
  ASSERT_FALSE(f.timers.arm(b, f.rt->clock().now() + 100ms));
  EXPECT_FALSE(f.timers.accept(fired[0]));
  EXPECT_TRUE(f.timers.armed(b));
  EXPECT_EQ(f.timers.key(b), "b");
}

TEST(KeyedTimers, KeysMapToOneSlotEach) {
  fixture f;
  auto [a, added_a] = f.timers.emplace("a");
  auto [again, added_again] = f.timers.emplace("a");
  EXPECT_TRUE(added_a);
  EXPECT_FALSE(added_again);
  EXPECT_EQ(a, again);
  f.timers.value(a) = 7;
  EXPECT_EQ(f.timers.value(*f.timers.find("a")), 7);
  EXPECT_FALSE(f.timers.find("b"));
  EXPECT_EQ(f.timers.size(), 1u);
  EXPECT_EQ(f.timers.clear(), 1u);
  EXPECT_TRUE(f.timers.empty());
}

TEST(KeyedTimers, DistantDeadlineArrivesInHopsNeverEarly) {
  fixture f;
  auto range = f.rt->find_service<timer_service>()->max_delay();
  auto id = f.timers.emplace("far").first;
  auto deadline = f.rt->clock().now() + 2 * range + 3ms;
  ASSERT_FALSE(f.timers.arm(id, deadline));
  int hops = 0;
  std::optional<uint32_t> accepted;
  for (int step = 0; step < 4 && !accepted; ++step) {
    f.rt->manual_clock()->advance(range);
    for (auto& due : f.advance(1ms)) {
      accepted = f.timers.accept(due);
      if (!accepted) {
        ++hops;
        EXPECT_LT(due.scheduled, deadline);
        EXPECT_TRUE(f.timers.armed(id)) << "a hop re-arms";
      } else {
        EXPECT_GE(due.scheduled, deadline) << "early fire";
      }
    }
  }
  EXPECT_EQ(hops, 2);
  EXPECT_EQ(accepted, id);
}

TEST(KeyedTimers, OwnersSmallCookiesAreNotKeyed) {
  fixture f;
  EXPECT_FALSE(table::is_keyed(0));
  EXPECT_FALSE(table::is_keyed(1));
  EXPECT_FALSE(f.timers.accept(timer_due{1, {}, {}}));
}
