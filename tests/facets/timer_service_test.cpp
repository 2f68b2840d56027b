// Unit tests of horae::timer_service, driven by a manual clock and poll();
// only the TimerServiceSlow suite uses real time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/error.hpp>
#include <horae/core/manual_clock.hpp>
#include <horae/facets/timer_service.hpp>

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace {

using horae::clock;
using horae::errc;
using horae::timer_due;
using horae::timer_service;
using horae::timer_service_config;

// An actor system plus a blocking actor that receives timer_due messages.
// poll() enqueues synchronously, so the mailbox can be drained right after.
class TimerService : public ::testing::Test {
protected:
  TimerService() : sys(sys_cfg), self(sys) {
    // nop
  }

  caf::strong_actor_ptr target() {
    return caf::strong_actor_ptr{self->ctrl()};
  }

  // Returns every timer_due currently in the mailbox, in arrival order.
  std::vector<timer_due> drain() {
    std::vector<timer_due> result;
    bool more = true;
    while (more)
      self->receive([&](const timer_due& x) { result.push_back(x); },
                    caf::after(std::chrono::seconds(0)) >>
                      [&] { more = false; });
    return result;
  }

  // Advances the clock by `d` and polls.
  size_t step(timer_service& svc, clock::duration d) {
    clk.advance(d);
    return svc.poll();
  }

  timer_service_config small_config() {
    timer_service_config cfg;
    cfg.resolution = 1ms;
    cfg.slots_per_level = 16;
    cfg.levels = 3;
    return cfg;
  }

  caf::actor_system_config sys_cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  horae::manual_clock clk;
};

} // namespace

// -- basic delivery -----------------------------------------------------------

// A timer is delivered when its delay has fully elapsed, not a tick earlier.
TEST_F(TimerService, FiresAfterExactDelay) {
  timer_service svc{clk};
  auto deadline = clk.now() + 10ms;
  auto h = svc.schedule(deadline, target(), 42);
  ASSERT_TRUE(h) << horae::describe(h.error());
  EXPECT_TRUE(h->valid());
  EXPECT_EQ(svc.pending(), 1u);
  EXPECT_EQ(step(svc, 9ms), 0u);
  EXPECT_EQ(step(svc, 999'999ns), 0u);
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(step(svc, 1ns), 1u);
  auto got = drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].cookie, 42u);
  EXPECT_EQ(got[0].scheduled, deadline);
  EXPECT_EQ(got[0].fired, deadline);
  EXPECT_EQ(svc.pending(), 0u);
}

// A deadline between two ticks is rounded up, never down.
TEST_F(TimerService, UnalignedDeadlineNeverFiresEarly) {
  timer_service svc{clk};
  auto deadline = clk.now() + 5ms + 300us;
  ASSERT_TRUE(svc.schedule(deadline, target(), 1));
  EXPECT_EQ(step(svc, 5ms), 0u);
  EXPECT_EQ(step(svc, 299us), 0u);
  EXPECT_EQ(step(svc, 701us), 1u);
  auto got = drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(got[0].fired, got[0].scheduled);
}

// Deadlines in the past or right now fire on the next poll.
TEST_F(TimerService, PastDeadlineFiresOnNextPoll) {
  timer_service svc{clk};
  clk.advance(1s);
  ASSERT_TRUE(svc.schedule(clk.now() - 500ms, target(), 1));
  ASSERT_TRUE(svc.schedule(clk.now(), target(), 2));
  EXPECT_EQ(svc.poll(), 2u);
  auto got = drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(svc.pending(), 0u);
}

// Timers that fall due in the same poll arrive in deadline order.
TEST_F(TimerService, DeliversInDeadlineOrder) {
  timer_service svc{clk};
  auto t0 = clk.now();
  for (uint64_t i : {5, 3, 9, 1, 7})
    ASSERT_TRUE(svc.schedule(t0 + std::chrono::milliseconds(i), target(), i));
  EXPECT_EQ(step(svc, 20ms), 5u);
  std::vector<uint64_t> cookies;
  for (auto& x : drain())
    cookies.push_back(x.cookie);
  EXPECT_EQ(cookies, (std::vector<uint64_t>{1, 3, 5, 7, 9}));
}

// -- cancellation -------------------------------------------------------------

// A timer cancelled before it is due is never delivered.
TEST_F(TimerService, CancelBeforeDueNeverDelivers) {
  timer_service svc{clk};
  auto h = svc.schedule(clk.now() + 10ms, target(), 7);
  ASSERT_TRUE(h);
  EXPECT_TRUE(svc.cancel(*h));
  EXPECT_EQ(svc.pending(), 0u);
  EXPECT_FALSE(svc.cancel(*h)) << "second cancel must report false";
  EXPECT_EQ(step(svc, 1s), 0u);
  EXPECT_TRUE(drain().empty());
}

// Cancelling after the wheel took the timer in (poll ran) works too.
TEST_F(TimerService, CancelAfterPollNeverDelivers) {
  timer_service svc{clk};
  auto h = svc.schedule(clk.now() + 300ms, target(), 7);
  ASSERT_TRUE(h);
  EXPECT_EQ(step(svc, 100ms), 0u);
  EXPECT_TRUE(svc.cancel(*h));
  EXPECT_EQ(step(svc, 1s), 0u);
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(svc.pending(), 0u);
}

// Once fired, cancel returns false, also after the entry was reused.
TEST_F(TimerService, CancelReturnsFalseAfterFire) {
  timer_service svc{clk};
  auto h = svc.schedule(clk.now() + 1ms, target(), 1);
  ASSERT_TRUE(h);
  EXPECT_EQ(step(svc, 1ms), 1u);
  EXPECT_FALSE(svc.cancel(*h));
  // The recycled entry now carries another timer; the stale handle must not
  // cancel it.
  auto h2 = svc.schedule(clk.now() + 1ms, target(), 2);
  ASSERT_TRUE(h2);
  EXPECT_FALSE(svc.cancel(*h));
  EXPECT_EQ(step(svc, 1ms), 1u);
  EXPECT_EQ(drain().size(), 2u);
}

// A default-constructed handle is invalid and cancelling it is harmless.
TEST_F(TimerService, CancelInvalidHandleReturnsFalse) {
  timer_service svc{clk};
  horae::timer_handle h;
  EXPECT_FALSE(h.valid());
  EXPECT_FALSE(svc.cancel(h));
}

// -- wheel levels and range ---------------------------------------------------

// Timers at slots^k - 1, slots^k and slots^k + 1 ticks for every level k fire
// exactly on time when the clock moves one tick at a time.
TEST_F(TimerService, CrossesEveryLevelBoundaryStepByStep) {
  auto cfg = small_config(); // 16 slots, 3 levels: 4096 ticks
  // An odd phase makes sure boundaries do not coincide with tick 0.
  timer_service svc{clk, cfg};
  clk.advance(7ms);
  svc.poll();
  auto t0 = clk.now();
  std::map<uint64_t, clock::time_point> expected;
  uint64_t span = 1;
  for (uint32_t k = 0; k <= cfg.levels; ++k, span *= cfg.slots_per_level) {
    for (int64_t off : {-1, 0, 1}) {
      auto ticks = static_cast<int64_t>(span) + off;
      if (ticks <= 0 || clock::duration{ticks * 1'000'000} > svc.max_delay())
        continue;
      auto deadline = t0 + std::chrono::milliseconds(ticks);
      auto cookie = static_cast<uint64_t>(ticks);
      ASSERT_TRUE(svc.schedule(deadline, target(), cookie));
      expected.emplace(cookie, deadline);
    }
  }
  size_t seen = 0;
  for (int i = 0; i < 4096; ++i) {
    svc.poll();
    for (auto& x : drain()) {
      ++seen;
      ASSERT_TRUE(expected.count(x.cookie)) << x.cookie;
      EXPECT_EQ(x.fired, expected[x.cookie]) << "cookie " << x.cookie;
      EXPECT_EQ(clk.now(), expected[x.cookie]) << "cookie " << x.cookie;
    }
    clk.advance(1ms);
  }
  EXPECT_EQ(seen, expected.size());
  EXPECT_EQ(svc.pending(), 0u);
}

// Same boundaries on the default wheel (256 slots, 4 levels), jumping the
// clock straight to one tick before and then to the deadline.
TEST_F(TimerService, CrossesEveryLevelBoundaryWithJumps) {
  timer_service svc{clk};
  auto res = svc.config().resolution;
  uint64_t span = 1;
  for (uint32_t k = 0; k < svc.config().levels; ++k) {
    span *= svc.config().slots_per_level;
    for (int64_t off : {-1, 0, 1}) {
      clk.advance(3ms + std::chrono::milliseconds(k)); // vary the phase
      svc.poll();
      auto delay = res * static_cast<int64_t>(span) + res * off;
      if (delay > svc.max_delay())
        delay = svc.max_delay();
      auto deadline = clk.now() + delay;
      ASSERT_TRUE(svc.schedule(deadline, target(), span));
      EXPECT_EQ(step(svc, delay - res), 0u) << "level " << k << " off " << off;
      EXPECT_TRUE(drain().empty());
      EXPECT_EQ(step(svc, res), 1u) << "level " << k << " off " << off;
      auto got = drain();
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0].fired, deadline);
    }
  }
}

// A timer at the far end of the range fires exactly, even when polled in
// irregular steps that skip over many cascades.
TEST_F(TimerService, FarFutureNearMaxDelayFiresExactly) {
  timer_service svc{clk};
  auto deadline = clk.now() + svc.max_delay();
  ASSERT_TRUE(svc.schedule(deadline, target(), 9));
  auto remaining = svc.max_delay();
  std::mt19937_64 rng{1};
  while (remaining > 1ms) {
    auto d = clock::duration{static_cast<int64_t>(
      rng() % static_cast<uint64_t>(remaining.count() / 3 + 1))};
    d = std::max<clock::duration>(std::min(d, remaining - 1ms), 1ns);
    EXPECT_EQ(step(svc, d), 0u);
    remaining -= d;
  }
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(step(svc, remaining), 1u);
  auto got = drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].fired, deadline);
}

// The default configuration covers about 49 days.
TEST_F(TimerService, DefaultRangeIsAboutFortyNineDays) {
  timer_service svc{clk};
  EXPECT_EQ(svc.max_delay(), 1ms * ((int64_t{1} << 32) - 1));
  EXPECT_GT(svc.max_delay(), std::chrono::hours(24 * 49));
}

// A deadline beyond the range is rejected with the limit in the message.
TEST_F(TimerService, BeyondRangeIsOutOfRange) {
  timer_service svc{clk};
  auto res = svc.schedule(clk.now() + svc.max_delay() + 1ns, target(), 1);
  ASSERT_FALSE(res);
  EXPECT_EQ(horae::code_of(res.error()), errc::out_of_range);
  EXPECT_NE(horae::describe(res.error()).find("max_delay"), std::string::npos)
    << horae::describe(res.error());
  EXPECT_EQ(svc.pending(), 0u);
  EXPECT_TRUE(svc.schedule(clk.now() + svc.max_delay(), target(), 1));
}

// A service polled late (clock far ahead of the wheel) still accepts and
// fires a timer at the full range.
TEST_F(TimerService, LatePollStillFiresFullRangeTimerExactly) {
  auto cfg = small_config();
  timer_service svc{clk, cfg};
  clk.advance(10s); // never polled: the wheel lags 10000 ticks behind
  auto deadline = clk.now() + svc.max_delay();
  ASSERT_TRUE(svc.schedule(deadline, target(), 1));
  EXPECT_EQ(step(svc, svc.max_delay() - 1ms), 0u);
  EXPECT_EQ(step(svc, 1ms), 1u);
  EXPECT_EQ(drain().at(0).fired, deadline);
}

// Random deadlines and random clock steps: every timer fires in the first
// poll at which it is due, never before (reference model check).
TEST_F(TimerService, RandomScheduleMatchesReferenceModel) {
  auto cfg = small_config();
  timer_service svc{clk, cfg};
  std::mt19937_64 rng{2024};
  std::map<uint64_t, clock::time_point> live;
  std::set<uint64_t> cancelled;
  std::vector<std::pair<uint64_t, horae::timer_handle>> handles;
  uint64_t next_cookie = 0;
  auto max_ticks = static_cast<uint64_t>(svc.max_delay() / 1ms);
  for (int round = 0; round < 400; ++round) {
    for (int i = 0; i < 5; ++i) {
      auto d = std::chrono::milliseconds(rng() % (max_ticks + 1));
      auto cookie = next_cookie++;
      auto h = svc.schedule(clk.now() + d, target(), cookie);
      ASSERT_TRUE(h);
      live.emplace(cookie, clk.now() + d);
      handles.emplace_back(cookie, *h);
    }
    if (rng() % 3 == 0 && !handles.empty()) {
      auto& [cookie, h] = handles[rng() % handles.size()];
      bool was_live = live.count(cookie) > 0 && cancelled.count(cookie) == 0;
      EXPECT_EQ(svc.cancel(h), was_live) << cookie;
      if (was_live) {
        cancelled.insert(cookie);
        live.erase(cookie);
      }
    }
    clk.advance(std::chrono::milliseconds(rng() % 40));
    if (rng() % 7 == 0)
      clk.advance(std::chrono::milliseconds(rng() % 2000));
    svc.poll();
    std::set<uint64_t> due;
    for (auto& [cookie, deadline] : live)
      if (deadline <= clk.now())
        due.insert(cookie);
    std::set<uint64_t> got;
    for (auto& x : drain()) {
      EXPECT_LE(x.scheduled, clk.now());
      EXPECT_EQ(cancelled.count(x.cookie), 0u);
      got.insert(x.cookie);
    }
    ASSERT_EQ(got, due) << "round " << round;
    for (auto c : due)
      live.erase(c);
    ASSERT_EQ(svc.pending(), live.size());
  }
}

// -- argument checks ----------------------------------------------------------

// A null target is rejected.
TEST_F(TimerService, NullTargetIsInvalidArgument) {
  timer_service svc{clk};
  auto res = svc.schedule(clk.now() + 1ms, caf::strong_actor_ptr{}, 1);
  ASSERT_FALSE(res);
  EXPECT_EQ(horae::code_of(res.error()), errc::invalid_argument);
}

// After stop, schedule fails with closed.
TEST_F(TimerService, ScheduleAfterStopIsClosed) {
  timer_service svc{clk};
  svc.stop();
  auto res = svc.schedule(clk.now() + 1ms, target(), 1);
  ASSERT_FALSE(res);
  EXPECT_EQ(horae::code_of(res.error()), errc::closed);
}

// -- lifetime -----------------------------------------------------------------

// A timer does not keep its actor alive; firing for a dead actor is a silent
// no-op that frees the entry and its weak reference.
TEST_F(TimerService, DeadActorIsDroppedAndFreed) {
  timer_service svc{clk};
  caf::weak_actor_ptr observer;
  {
    caf::scoped_actor victim{sys};
    caf::strong_actor_ptr ptr{victim->ctrl()};
    observer = caf::actor_cast<caf::weak_actor_ptr>(ptr);
    ASSERT_TRUE(svc.schedule(clk.now() + 5ms, ptr, 1));
  }
  auto ctrl = observer.get();
  EXPECT_EQ(caf::actor_cast<caf::strong_actor_ptr>(observer), nullptr)
    << "the pending timer kept the actor alive";
  EXPECT_EQ(ctrl->weak_refs.load(), 2u); // ours + the timer's
  EXPECT_EQ(step(svc, 5ms), 1u);
  EXPECT_EQ(svc.pending(), 0u);
  EXPECT_EQ(ctrl->weak_refs.load(), 1u); // the timer released its reference
}

// stop() frees pending timers without delivering them, and is idempotent.
TEST_F(TimerService, StopFreesPendingTimers) {
  timer_service svc{clk};
  for (uint64_t i = 0; i < 1000; ++i)
    ASSERT_TRUE(
      svc.schedule(clk.now() + std::chrono::milliseconds(i + 1), target(), i));
  svc.poll(); // half in the wheel, half still queued
  for (uint64_t i = 0; i < 1000; ++i)
    ASSERT_TRUE(
      svc.schedule(clk.now() + std::chrono::seconds(i + 1), target(), i));
  auto weak_before = self->ctrl()->weak_refs.load();
  EXPECT_EQ(svc.pending(), 2000u);
  svc.stop();
  EXPECT_EQ(svc.pending(), 0u);
  EXPECT_EQ(self->ctrl()->weak_refs.load(), weak_before - 2000);
  svc.stop();
  EXPECT_EQ(step(svc, std::chrono::hours(1)), 0u);
  EXPECT_TRUE(drain().empty());
}

// Entries are recycled: a steady schedule/fire cycle does not grow memory.
TEST_F(TimerService, EntriesAreRecycled) {
  timer_service svc{clk};
  std::set<horae::detail::timer_entry*> entries;
  for (int i = 0; i < 5000; ++i) {
    auto h = svc.schedule(clk.now() + 1ms, target(), 1);
    ASSERT_TRUE(h);
    entries.insert(h->entry());
    if (i % 2 == 0)
      svc.cancel(*h);
    step(svc, 1ms);
  }
  drain();
  // One batch per thread cache plus one in flight at the recycler.
  EXPECT_LE(entries.size(), 1024u);
}

// -- concurrency --------------------------------------------------------------

// Several threads schedule and cancel at once; every timer is accounted for:
// delivered exactly once unless its cancel succeeded.
TEST_F(TimerService, ConcurrentScheduleAndCancelAllAccountedFor) {
  timer_service svc{clk};
  constexpr int threads = 4;
  constexpr uint64_t per_thread = 20000;
  std::atomic<uint64_t> cancelled{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      while (!go.load())
        std::this_thread::yield();
      for (uint64_t i = 0; i < per_thread; ++i) {
        auto d = std::chrono::milliseconds(1 + rng() % 5000);
        auto h = svc.schedule(clk.now() + d, target(), t * per_thread + i);
        ASSERT_TRUE(h);
        if (i % 2 == 1 && svc.cancel(*h))
          ++cancelled;
      }
    });
  }
  // Poll concurrently with the producers, as the timer thread would.
  go = true;
  size_t fired = 0;
  for (int i = 0; i < 50; ++i) {
    fired += svc.poll();
    std::this_thread::yield();
  }
  for (auto& w : workers)
    w.join();
  fired += step(svc, 10s);
  auto got = drain();
  std::set<uint64_t> unique;
  for (auto& x : got)
    unique.insert(x.cookie);
  EXPECT_EQ(got.size(), unique.size()) << "a timer fired twice";
  EXPECT_EQ(cancelled.load(), threads * per_thread / 2);
  EXPECT_EQ(got.size() + cancelled.load(), threads * per_thread);
  EXPECT_EQ(fired, got.size());
  EXPECT_EQ(svc.pending(), 0u);
}

// More threads than the service has caches schedule, cancel and count
// queued timers at once: those beyond the caches share one, and the counts
// stay exact.
TEST_F(TimerService, MoreThreadsThanCachesCountExactly) {
  timer_service svc{clk};
  constexpr int threads = 40;
  constexpr uint64_t per_thread = 2000;
  std::atomic<int> arrived{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ++arrived;
      while (arrived.load() < threads) // all alive at once
        std::this_thread::yield();
      for (uint64_t i = 0; i < per_thread; ++i) {
        auto h = svc.schedule(clk.now() + 1s, target(), t * per_thread + i);
        ASSERT_TRUE(h);
        if (i % 2 == 1) {
          ASSERT_TRUE(svc.cancel(*h));
        }
      }
      svc.note_queued(3);
      svc.note_queued_delivered();
    });
  }
  for (auto& w : workers)
    w.join();
  EXPECT_EQ(svc.pending(), threads * (per_thread / 2 + 2));
  EXPECT_EQ(svc.fired(), static_cast<uint64_t>(threads));
  step(svc, 2s);
  EXPECT_EQ(drain().size(), threads * per_thread / 2);
  EXPECT_EQ(svc.pending(), static_cast<size_t>(threads * 2));
}

// -- configuration ------------------------------------------------------------

// Each bad field is reported by name with its allowed range.
TEST(TimerServiceConfig, ValidationNamesTheBadField) {
  struct bad_case {
    timer_service_config cfg;
    const char* field;
  };
  std::vector<bad_case> cases;
  auto add = [&](auto mutate, const char* field) {
    timer_service_config cfg;
    mutate(cfg);
    cases.push_back({cfg, field});
  };
  add([](auto& c) { c.resolution = 0ns; }, "resolution");
  add([](auto& c) { c.resolution = -1ms; }, "resolution");
  add([](auto& c) { c.slots_per_level = 8; }, "slots_per_level");
  add([](auto& c) { c.slots_per_level = 8192; }, "slots_per_level");
  add([](auto& c) { c.slots_per_level = 100; }, "slots_per_level");
  add([](auto& c) { c.levels = 0; }, "levels");
  add([](auto& c) { c.levels = 9; }, "levels");
  for (auto& c : cases) {
    auto err = horae::validate(c.cfg);
    ASSERT_TRUE(err) << c.field;
    EXPECT_EQ(horae::code_of(err), errc::invalid_config);
    auto text = horae::describe(err);
    EXPECT_NE(text.find(c.field), std::string::npos) << text;
  }
  EXPECT_FALSE(horae::validate(timer_service_config{}));
}

// Constructing a service from an invalid configuration is a programming
// error and throws; extreme but valid shapes work.
TEST(TimerServiceConfig, ConstructorRejectsInvalidConfig) {
  horae::manual_clock clk;
  timer_service_config bad;
  bad.levels = 0;
  EXPECT_THROW(timer_service(clk, bad), std::invalid_argument);
  timer_service_config big;
  big.slots_per_level = 4096;
  big.levels = 8;
  timer_service svc{clk, big};
  EXPECT_GT(svc.max_delay(), std::chrono::hours(24 * 365 * 99));
  EXPECT_EQ(svc.name(), "timer_service");
}

// -- real time ----------------------------------------------------------------

// With the real clock the thread delivers on its own, and an earlier timer
// added while the thread sleeps for a later one wakes it up.
TEST(TimerServiceSlow, RealClockFiresWithinGenerousBound) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  horae::system_clock clk;
  timer_service svc{clk};
  svc.start();
  caf::strong_actor_ptr me{self->ctrl()};
  ASSERT_TRUE(svc.schedule(clk.now() + 1h, me, 1)); // thread sleeps for 1h
  std::this_thread::sleep_for(20ms);
  auto deadline = clk.now() + 50ms;
  ASSERT_TRUE(svc.schedule(deadline, me, 2));
  bool received = false;
  self->receive(
    [&](const timer_due& x) {
      received = true;
      EXPECT_EQ(x.cookie, 2u);
      auto now = clk.now();
      EXPECT_GE(now, deadline);
      EXPECT_GE(x.fired, deadline);
      EXPECT_LT(now - deadline, 1s);
    },
    caf::after(std::chrono::seconds(5)) >> [] {});
  EXPECT_TRUE(received);
  EXPECT_EQ(svc.pending(), 1u);
  svc.stop();
  EXPECT_EQ(svc.pending(), 0u);
}
