// The timer service's internal units on their own: the occupancy bitmap,
// the intrusive MPSC command queue, the entry pool, the timing wheel and the
// per-thread entry caches.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "timer_service/entry_cache.hpp"
#include "timer_service/entry_pool.hpp"
#include "timer_service/mpsc_queue.hpp"
#include "timer_service/occupancy_bitmap.hpp"
#include "timer_service/timing_wheel.hpp"
#include <gtest/gtest.h>

using namespace horae::detail;

// -- occupancy_bitmap ---------------------------------------------------------

TEST(OccupancyBitmap, FindsTheNextSetBitAcrossWords) {
  occupancy_bitmap bits{4096};
  EXPECT_FALSE(bits.any());
  EXPECT_EQ(bits.find_from(0), 4096u);
  bits.set(3);
  bits.set(700);
  bits.set(4095);
  EXPECT_TRUE(bits.any());
  EXPECT_EQ(bits.find_from(0), 3u);
  EXPECT_EQ(bits.find_from(4), 700u);
  EXPECT_EQ(bits.find_from(701), 4095u);
  bits.clear(700);
  EXPECT_EQ(bits.find_from(4), 4095u);
  EXPECT_EQ(bits.find_from(4096), 4096u);
}

TEST(OccupancyBitmap, DistanceAfterWrapsAroundAndCountsAFullTurn) {
  occupancy_bitmap bits{256};
  EXPECT_EQ(bits.distance_after(10), 0u) << "empty";
  bits.set(20);
  EXPECT_EQ(bits.distance_after(10), 10u);
  EXPECT_EQ(bits.distance_after(30), 256u - 30u + 20u) << "wraps";
  EXPECT_EQ(bits.distance_after(20), 256u) << "own bit is a full turn";
}

// -- mpsc_queue ---------------------------------------------------------------

namespace {

struct item {
  mpsc_node node;
  int producer = 0;
  int seq = 0;
};

item* item_of(mpsc_node* n) {
  return reinterpret_cast<item*>(n); // node is the first member
}

} // namespace

TEST(MpscQueue, PopsInPushOrderAndReportsEmpty) {
  mpsc_queue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.pop(), nullptr);
  std::vector<item> items(5);
  for (int i = 0; i < 5; ++i) {
    items[i].seq = i;
    q.push(&items[i].node);
  }
  for (int i = 0; i < 5; ++i) {
    auto n = q.pop();
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(item_of(n)->seq, i);
  }
  EXPECT_EQ(q.pop(), nullptr);
  // A node may be pushed again once popped.
  q.push(&items[0].node);
  EXPECT_EQ(q.pop(), &items[0].node);
}

TEST(MpscQueue, ManyProducersLoseNothingAndKeepEachProducersOrder) {
  constexpr int producers = 4;
  constexpr int per_producer = 20'000;
  mpsc_queue q;
  std::vector<std::vector<item>> items(producers);
  for (auto& xs : items)
    xs = std::vector<item>(per_producer); // items hold atomics: no copies
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p)
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        items[p][i].producer = p;
        items[p][i].seq = i;
        q.push(&items[p][i].node);
      }
    });
  std::vector<int> next(producers, 0);
  int popped = 0;
  while (popped < producers * per_producer) {
    auto n = q.pop();
    if (n == nullptr) {
      std::this_thread::yield();
      continue;
    }
    auto it = item_of(n);
    EXPECT_EQ(it->seq, next[it->producer]) << "reordered";
    next[it->producer] = it->seq + 1;
    ++popped;
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(q.pop(), nullptr);
}

// -- entry_pool ---------------------------------------------------------------

TEST(EntryPool, HandsOutDistinctAlignedEntriesAndReusesReleasedOnes) {
  entry_pool pool;
  std::set<timer_entry*> seen;
  std::vector<entry_chain> chains;
  for (int i = 0; i < 10; ++i) {
    auto chain = pool.acquire();
    ASSERT_FALSE(chain.empty());
    EXPECT_LE(chain.size, entry_pool::batch_size);
    for (auto e = chain.head; e != nullptr; e = e->next) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(e) % 64, 0u) << "not aligned";
      EXPECT_TRUE(seen.insert(e).second) << "entry handed out twice";
    }
    chains.push_back(chain);
  }
  auto returned = chains.back().head;
  pool.release(chains.back());
  auto again = pool.acquire();
  std::set<timer_entry*> reused;
  for (auto e = again.head; e != nullptr; e = e->next)
    reused.insert(e);
  EXPECT_EQ(reused.count(returned), 1u) << "released entries not reused";
}

// -- timing_wheel -------------------------------------------------------------

namespace {

constexpr int64_t ms = 1'000'000;

struct wheel_fixture : ::testing::Test {
  timing_wheel wheel{0, ms, 16, 3}; // 1 ms ticks, range 16^3 - 1 ticks
  std::vector<timer_entry> entries = std::vector<timer_entry>(64);

  timer_entry* at(size_t i, int64_t deadline_ms) {
    entries[i].deadline = deadline_ms * ms;
    entries[i].cookie = i;
    wheel.insert(&entries[i]);
    return &entries[i];
  }

  std::vector<uint64_t> advance_to(int64_t t_ms) {
    std::vector<uint64_t> fired;
    wheel.advance(t_ms * ms,
                  [&](timer_entry* e) { fired.push_back(e->cookie); });
    return fired;
  }
};

using TimingWheel = wheel_fixture;

} // namespace

TEST_F(TimingWheel, TicksContainTheirStart) {
  EXPECT_EQ(wheel.tick_floor(ms - 1), 0u);
  EXPECT_EQ(wheel.tick_floor(ms), 1u);
  EXPECT_EQ(wheel.tick_start(7), 7 * ms);
}

// A deadline inside a tick fires when the clock reaches the deadline, not
// at the tick's start (early) nor at the next tick's start (late), and the
// owner is told to wake at that deadline.
TEST_F(TimingWheel, FiresAtTheDeadlineWithinItsTick) {
  entries[0].deadline = 5 * ms + ms / 2;
  entries[0].cookie = 0;
  wheel.insert(&entries[0]);
  auto fire_at = [&](int64_t ns) {
    std::vector<uint64_t> fired;
    wheel.advance(ns, [&](timer_entry* e) { fired.push_back(e->cookie); });
    return fired;
  };
  EXPECT_EQ(wheel.next_deadline(), 5 * ms) << "wake when its tick starts";
  EXPECT_EQ(fire_at(5 * ms), std::vector<uint64_t>{}) << "early";
  EXPECT_EQ(wheel.next_deadline(), 5 * ms + ms / 2) << "then at the deadline";
  EXPECT_EQ(fire_at(5 * ms + ms / 2 - 1), std::vector<uint64_t>{}) << "early";
  EXPECT_EQ(fire_at(5 * ms + ms / 2), std::vector<uint64_t>{0});
  EXPECT_FALSE(wheel.next_deadline());
}

TEST_F(TimingWheel, FiresInDueOrderAcrossLevelsAndNeverEarly) {
  at(0, 5);
  at(1, 15);   // last slot of level 0
  at(2, 16);   // first tick of level 1
  at(3, 300);  // level 2
  at(4, 4094); // last tick in range
  EXPECT_EQ(advance_to(4), std::vector<uint64_t>{});
  EXPECT_EQ(advance_to(5), std::vector<uint64_t>{0});
  EXPECT_EQ(advance_to(15), std::vector<uint64_t>{1});
  EXPECT_EQ(advance_to(16), std::vector<uint64_t>{2});
  EXPECT_EQ(advance_to(299), std::vector<uint64_t>{});
  EXPECT_EQ(advance_to(300), std::vector<uint64_t>{3});
  EXPECT_EQ(advance_to(4093), std::vector<uint64_t>{});
  EXPECT_EQ(advance_to(4094), std::vector<uint64_t>{4});
  EXPECT_FALSE(wheel.next_event());
}

TEST_F(TimingWheel, RemovedEntriesNeverFireAndNextEventSkipsEmptyTicks) {
  at(0, 100);
  auto gone = at(1, 50);
  EXPECT_EQ(wheel.next_event().value_or(0) <= 50u, true);
  wheel.remove(gone);
  EXPECT_EQ(advance_to(99), std::vector<uint64_t>{});
  EXPECT_EQ(advance_to(100), std::vector<uint64_t>{0});
}

TEST_F(TimingWheel, OverdueEntriesFireOnTheNextAdvance) {
  advance_to(20);
  at(0, 3); // already in the past
  EXPECT_EQ(advance_to(20), std::vector<uint64_t>{0});
}

// A level-1 slot with more timers than one cascade step is moved down in
// steps before its start, each `advance` doing at most `cascade_step`; a
// timer still waiting in the window can be removed; every timer then fires
// at its own deadline, none early, the removed one never.
TEST_F(TimingWheel, CascadeWindowMovesASlotInStepsBeforeItsStart) {
  const size_t n = 2 * timing_wheel::cascade_step + 100;
  std::vector<timer_entry> many(n);
  for (size_t i = 0; i < n; ++i) {
    many[i].deadline = 32 * ms + static_cast<int64_t>(i % 16) * ms;
    many[i].cookie = i;
    wheel.insert(&many[i]); // 32..47 ms: all in one level-1 slot
  }
  advance_to(30);
  EXPECT_FALSE(wheel.cascading()) << "window opened too early";
  EXPECT_EQ(wheel.next_deadline(), 31 * ms) << "wake when the window opens";
  EXPECT_EQ(advance_to(31), std::vector<uint64_t>{});
  EXPECT_TRUE(wheel.cascading()) << "more than one step: work is left";
  EXPECT_LE(wheel.next_deadline().value_or(INT64_MAX), 31 * ms)
    << "the owner is asked to come back at once";
  // The first inserted timer is moved last: it is still in the window.
  wheel.remove(&many[0]);
  advance_to(31);
  advance_to(31);
  EXPECT_FALSE(wheel.cascading());
  std::vector<uint64_t> fired;
  for (int64_t t = 32; t <= 47; ++t) {
    wheel.advance(t * ms, [&](timer_entry* e) {
      EXPECT_LE(e->deadline, t * ms) << "early";
      EXPECT_EQ(e->deadline, t * ms) << "late";
      fired.push_back(e->cookie);
    });
  }
  EXPECT_EQ(fired.size(), n - 1);
  EXPECT_EQ(std::count(fired.begin(), fired.end(), uint64_t{0}), 0)
    << "a removed timer fired";
  EXPECT_FALSE(wheel.next_deadline());
}

// -- entry_cache --------------------------------------------------------------

// A thread that exits gives its cache back: a hundred threads one after the
// other all get an exclusive cache, where without giving back all but the
// first 31 would share the last one.
TEST(EntryCache, ExitedThreadsGiveTheirCacheBack) {
  using horae::detail::entry_cache;
  for (int i = 0; i < 100; ++i) {
    uint32_t index = entry_cache::shared_index;
    std::thread{[&] { index = entry_cache::index_of_this_thread(); }}.join();
    ASSERT_NE(index, entry_cache::shared_index) << "thread " << i;
  }
}

// Live threads never share an exclusive cache; those beyond the caches all
// get the shared one.
TEST(EntryCache, LiveThreadsHoldDistinctCaches) {
  using horae::detail::entry_cache;
  constexpr int threads = entry_cache::count + 8;
  std::vector<uint32_t> indexes(threads);
  std::atomic<int> arrived{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      indexes[t] = entry_cache::index_of_this_thread();
      ++arrived;
      while (arrived.load() < threads)
        std::this_thread::yield();
    });
  for (auto& w : workers)
    w.join();
  std::set<uint32_t> exclusive;
  int shared = 0;
  for (auto index : indexes) {
    if (index == entry_cache::shared_index)
      ++shared;
    else
      EXPECT_TRUE(exclusive.insert(index).second) << "index " << index;
  }
  EXPECT_GE(shared, threads - static_cast<int>(entry_cache::shared_index));
}
