// The keyed timer table on its own: a fire that is already in the mailbox
// when its timer is cancelled, re-armed or its slot reused never counts, a
// deadline beyond the service's range is reached in hops, never early, and
// the timers wait in the table's own queue behind one alarm of the service.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
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

  timer_service& service() {
    return *rt->find_service<timer_service>();
  }

  clock::time_point in(clock::duration d) {
    return rt->clock().now() + d;
  }

  /// Adds `key` and arms it `d` from now. @returns its slot.
  uint32_t start(const std::string& key, clock::duration d) {
    auto id = timers.emplace(key).first;
    EXPECT_FALSE(timers.arm(id, in(d)));
    return id;
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

// Timers due together reach the owner in deadline order, equal deadlines in
// arming order: the alarm's fire yields the first, the others follow through
// the mailbox as fires of their own.
TEST(KeyedTimers, TimersDueTogetherArriveInOrderBehindOneAlarm) {
  fixture f;
  auto c = f.timers.emplace("c").first;
  auto a1 = f.timers.emplace("a1").first;
  auto b = f.timers.emplace("b").first;
  auto a2 = f.timers.emplace("a2").first;
  ASSERT_FALSE(f.timers.arm(c, f.in(3ms)));
  ASSERT_FALSE(f.timers.arm(a1, f.in(1ms)));
  ASSERT_FALSE(f.timers.arm(b, f.in(2ms)));
  ASSERT_FALSE(f.timers.arm(a2, f.in(1ms)));
  EXPECT_EQ(f.service().pending(), 4u) << "the timers count, not the alarm";
  auto alarm = f.advance(5ms);
  ASSERT_EQ(alarm.size(), 1u) << "one service timer for the whole table";
  EXPECT_TRUE(timer_service::is_alarm(alarm[0].cookie));
  EXPECT_EQ(f.timers.accept(alarm[0]), a1);
  std::vector<uint32_t> order{a1};
  for (auto& due : f.advance(0ms)) {
    EXPECT_FALSE(timer_service::is_alarm(due.cookie));
    auto id = f.timers.accept(due);
    ASSERT_TRUE(id);
    order.push_back(*id);
  }
  EXPECT_EQ(order, (std::vector<uint32_t>{a1, a2, b, c}));
  EXPECT_EQ(f.service().pending(), 0u);
  EXPECT_EQ(f.service().fired(), 4u);
  EXPECT_EQ(f.timers.queued(), 0u);
}

// An alarm set for a timer that was re-armed later fires early, finds
// nothing due and sets itself again; the timer fires at its new deadline.
TEST(KeyedTimers, EarlyAlarmSetsItselfAgain) {
  fixture f;
  auto id = f.timers.emplace("a").first;
  ASSERT_FALSE(f.timers.arm(id, f.in(10ms)));
  auto deadline = f.in(20ms);
  ASSERT_FALSE(f.timers.arm(id, deadline));
  auto early = f.advance(10ms);
  ASSERT_EQ(early.size(), 1u);
  EXPECT_FALSE(f.timers.accept(early[0]));
  EXPECT_TRUE(f.timers.armed(id));
  EXPECT_TRUE(f.advance(9ms).empty());
  auto due = f.advance(1ms);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_GE(due[0].scheduled, deadline);
  EXPECT_EQ(f.timers.accept(due[0]), id);
}

// Cancelling the last queued timer cancels the alarm: nothing fires, and
// the service counts nothing pending.
TEST(KeyedTimers, CancellingEveryTimerDropsTheAlarm) {
  fixture f;
  auto a = f.start("a", 10ms);
  auto b = f.start("b", 20ms);
  f.timers.disarm(a);
  EXPECT_EQ(f.service().pending(), 1u);
  f.timers.erase(b);
  EXPECT_EQ(f.service().pending(), 0u);
  EXPECT_TRUE(f.advance(1s).empty());
}

// A timer cancelled after the alarm took it from the queue, while its fire
// waits in the mailbox, never counts.
TEST(KeyedTimers, TimerCancelledWhileItsFireWaitsIsStale) {
  fixture f;
  auto a = f.start("a", 1ms);
  auto b = f.start("b", 1ms);
  auto alarm = f.advance(1ms);
  ASSERT_EQ(alarm.size(), 1u);
  EXPECT_EQ(f.timers.accept(alarm[0]), a); // b's fire is now in the mailbox
  f.timers.disarm(b);
  auto queued = f.advance(0ms);
  ASSERT_EQ(queued.size(), 1u);
  bool stale = false;
  EXPECT_FALSE(f.timers.accept(queued[0], &stale));
  EXPECT_TRUE(stale);
  EXPECT_EQ(f.service().pending(), 0u);
}

// Clearing the table gives back what it queued.
TEST(KeyedTimers, ClearGivesBackItsTimers) {
  fixture f;
  for (int i = 0; i < 100; ++i)
    ASSERT_FALSE(f.timers.arm(f.timers.emplace("t" + std::to_string(i)).first,
                              f.in(std::chrono::milliseconds{1 + i})));
  EXPECT_EQ(f.service().pending(), 100u);
  EXPECT_EQ(f.timers.clear(), 100u);
  EXPECT_EQ(f.service().pending(), 0u);
  EXPECT_TRUE(f.advance(1s).empty());
}

// Thousands of keys added, re-armed, cancelled and erased in a random order
// (deadlines on a coarse grid, so that many are equal): every key is found
// exactly while it exists, and every armed timer fires once, in deadline
// order and equal deadlines in arming order, none that was cancelled.
TEST(KeyedTimers, IndexAndQueueAgreeWithAModelUnderChurn) {
  fixture f;
  std::mt19937 rng{7};
  constexpr int keys = 3000;
  auto name = [](int k) { return "key-" + std::to_string(k); };
  std::map<int, uint32_t> present;               // key -> slot
  std::map<int, std::pair<int, uint64_t>> armed; // key -> (deadline ms, order)
  uint64_t order = 0;
  for (int step = 0; step < 40000; ++step) {
    auto k = static_cast<int>(rng() % keys);
    auto op = rng() % 4;
    if (op < 2) { // add if needed, arm or re-arm
      auto id = f.timers.emplace(name(k)).first;
      if (present.count(k) != 0) {
        ASSERT_EQ(present[k], id) << "a key keeps its slot";
      }
      present[k] = id;
      auto ms = 1 + static_cast<int>(rng() % 50);
      ASSERT_FALSE(f.timers.arm(id, f.in(std::chrono::milliseconds{ms})));
      armed[k] = {ms, order++};
    } else if (op == 2) { // cancel
      if (auto it = present.find(k); it != present.end()) {
        f.timers.disarm(it->second);
        armed.erase(k);
      }
    } else { // erase
      if (auto it = present.find(k); it != present.end()) {
        f.timers.erase(it->second);
        present.erase(it);
        armed.erase(k);
      }
    }
  }
  for (int k = 0; k < keys; ++k) {
    auto found = f.timers.find(name(k));
    ASSERT_EQ(found.has_value(), present.count(k) == 1) << name(k);
    if (found) {
      ASSERT_EQ(*found, present[k]);
    }
  }
  ASSERT_EQ(f.timers.size(), present.size());
  ASSERT_EQ(f.timers.queued(), armed.size());
  std::vector<std::tuple<int, uint64_t, uint32_t>> expected;
  for (auto& [k, due] : armed)
    expected.emplace_back(due.first, due.second, present[k]);
  std::sort(expected.begin(), expected.end());
  std::vector<uint32_t> expected_ids;
  for (auto& x : expected)
    expected_ids.push_back(std::get<2>(x));
  std::vector<uint32_t> got;
  for (auto fires = f.advance(60ms); !fires.empty(); fires = f.advance(0ms))
    for (auto& due : fires)
      if (auto id = f.timers.accept(due))
        got.push_back(*id);
  EXPECT_EQ(got, expected_ids);
  EXPECT_EQ(f.timers.queued(), 0u);
}
