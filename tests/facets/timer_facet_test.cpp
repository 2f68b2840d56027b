// TimerFacet semantics on the manual clock: exact timing, grid-anchored
// fixed rate, fixed delay, replacement and cancellation guarantees,
// coalescing, cleanup, and every bad input.
#include <random>

#include <horae/core/error.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/test_runtime.hpp>

#include "facets/support/timer_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::in_actor;
using horae::test::recorder;
using horae::test::recording;

namespace {

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  std::shared_ptr<recording> rec = std::make_shared<recording>();
  caf::actor a = rt->spawn(recorder(rec));
  clock::time_point t0 = rt->clock().now();

  timer_service& service() {
    return *rt->find_service<timer_service>();
  }

  caf::error start_once(const std::string& name, clock::duration d) {
    caf::error result;
    in_actor(*rt, a,
             [&](actor* self) { result = timers(self).start_once(name, d); });
    return result;
  }

  caf::error start_periodic(const std::string& name, clock::duration d,
                            periodic_options opts = {}) {
    caf::error result;
    in_actor(*rt, a, [&](actor* self) {
      result = timers(self).start_periodic(name, d, opts);
    });
    return result;
  }
};

using TimerFacet = fixture;

} // namespace

// A one-shot timer fires exactly once, after exactly its delay.
TEST_F(TimerFacet, OneShotFiresAfterExactDelay) {
  ASSERT_FALSE(start_once("cleanup", 50ms));
  rt->advance(49ms);
  EXPECT_TRUE(rec->fires.empty()) << "fired early";
  rt->advance(1ms);
  ASSERT_EQ(rec->fires.size(), 1u);
  EXPECT_EQ(rec->fires[0].name, "cleanup");
  EXPECT_EQ(rec->fires[0].seq, 1u);
  EXPECT_EQ(rec->fires[0].scheduled, t0 + 50ms);
  EXPECT_EQ(rec->fires[0].actual, t0 + 50ms);
  rt->advance(200ms);
  EXPECT_EQ(rec->fires.size(), 1u);
  in_actor(*rt, a, [](actor* self) {
    EXPECT_FALSE(timers(self).active("cleanup")) << "name still taken";
  });
}

// Fixed-rate ticks stay on the grid start + n * interval over 10,000 ticks.
TEST_F(TimerFacet, FixedRateStaysOnGridOver10000Ticks) {
  ASSERT_FALSE(start_periodic("hb", 10ms));
  rt->advance(100s, 10ms);
  ASSERT_EQ(rec->fires.size(), 10'000u);
  for (size_t i = 0; i < rec->fires.size(); ++i) {
    const auto& f = rec->fires[i];
    ASSERT_EQ(f.seq, i + 1);
    ASSERT_EQ(f.scheduled, t0 + (i + 1) * 10ms) << "drift at tick " << i + 1;
    ASSERT_EQ(f.coalesced, 0u);
  }
}

// An initial delay shifts the grid; later ticks keep the interval.
TEST_F(TimerFacet, InitialDelayAnchorsTheGrid) {
  periodic_options opts;
  opts.initial_delay = 5ms;
  ASSERT_FALSE(start_periodic("poll", 20ms, opts));
  rt->advance(45ms);
  ASSERT_EQ(rec->fires.size(), 3u);
  EXPECT_EQ(rec->fires[0].scheduled, t0 + 5ms);
  EXPECT_EQ(rec->fires[1].scheduled, t0 + 25ms);
  EXPECT_EQ(rec->fires[2].scheduled, t0 + 45ms);
}

// A zero initial delay fires on the next pass.
TEST_F(TimerFacet, ZeroInitialDelayFiresImmediately) {
  periodic_options opts;
  opts.initial_delay = 0ms;
  ASSERT_FALSE(start_periodic("now", 1s, opts));
  rt->run_until_idle();
  ASSERT_EQ(rec->fires.size(), 1u);
  EXPECT_EQ(rec->fires[0].scheduled, t0);
}

// Fixed-delay: the next tick is due one interval after the late fire was
// handled, not on the original grid.
TEST_F(TimerFacet, FixedDelayMeasuresFromHandling) {
  periodic_options opts;
  opts.mode = timer_mode::fixed_delay;
  ASSERT_FALSE(start_periodic("fd", 10ms, opts));
  rt->advance(35ms, 35ms); // the first fire is handled 25ms late
  ASSERT_EQ(rec->fires.size(), 1u);
  EXPECT_EQ(rec->fires[0].coalesced, 0u);
  rt->advance(9ms);
  EXPECT_EQ(rec->fires.size(), 1u);
  rt->advance(1ms);
  ASSERT_EQ(rec->fires.size(), 2u);
  EXPECT_EQ(rec->fires[1].scheduled, t0 + 45ms);
}

// A periodic timer never has more than one fire in the mailbox: ticks that
// fall due while it waits are folded into it and counted, and the grid is
// kept afterwards.
TEST_F(TimerFacet, CoalescesTicksWhileBehaviourIsBusy) {
  ASSERT_FALSE(start_periodic("hb", 10ms));
  auto& mc = *rt->manual_clock();
  mc.advance(10ms);
  service().poll(); // the fire is now in the mailbox, not yet handled
  mc.advance(45ms); // the behaviour is "busy" for 45ms
  EXPECT_EQ(service().poll(), 0u) << "a second fire was enqueued";
  rt->run_until_idle();
  ASSERT_EQ(rec->fires.size(), 1u);
  EXPECT_EQ(rec->fires[0].seq, 1u);
  EXPECT_EQ(rec->fires[0].coalesced, 4u); // ticks due at 20, 30, 40, 50ms
  rt->advance(5ms);
  ASSERT_EQ(rec->fires.size(), 2u);
  EXPECT_EQ(rec->fires[1].seq, 6u);
  EXPECT_EQ(rec->fires[1].scheduled, t0 + 60ms);
}

// A fire of a replaced timer is dropped even if it is already in the mailbox.
// The testkit queues the replacement first and lets the old fire land
// behind it.
TEST(TimerFacetRaces, ReplacedTimerNeverDeliversEvenWhenEnqueued) {
  testkit::test_runtime t;
  auto p = testkit::probe::make();
  auto a = t->spawn(p->recorder());
  t.run_in(
    a, [](actor& self) { ASSERT_FALSE(timers(&self).start_once("t", 10ms)); });
  t.run_in_before_fires(a, 10ms, [](actor& self) {
    ASSERT_FALSE(timers(&self).start_once("t", 100ms));
  });
  EXPECT_TRUE(p->silent("t")) << "stale fire delivered: " << p->silent("t");
  t.advance(100ms);
  auto once = p->fired_once_at("t", t.start() + 110ms);
  EXPECT_TRUE(once) << once;
}

// A fire of a cancelled timer is dropped even if it is already in the
// mailbox.
TEST(TimerFacetRaces, CancelledTimerNeverDeliversEvenWhenEnqueued) {
  testkit::test_runtime t;
  auto p = testkit::probe::make();
  auto a = t->spawn(p->recorder());
  t.run_in(a, [](actor& self) {
    ASSERT_FALSE(timers(&self).start_periodic("p", 10ms));
  });
  t.run_in_before_fires(
    a, 10ms, [](actor& self) { EXPECT_TRUE(timers(&self).cancel("p")); });
  t.advance(100ms);
  EXPECT_TRUE(p->silent("p")) << p->silent("p");
  EXPECT_EQ(t->find_service<timer_service>()->pending(), 0u);
}

// A timer may deliver a user payload instead of timer_fired.
TEST_F(TimerFacet, DeliversUserPayload) {
  in_actor(*rt, a, [](actor* self) {
    ASSERT_FALSE(
      timers(self).start_once("p", 5ms, caf::make_message(std::string{"x"})));
  });
  rt->advance(5ms);
  EXPECT_TRUE(rec->fires.empty());
  EXPECT_EQ(rec->payloads, std::vector<std::string>{"x"});
}

// list() and active() report pending timers.
TEST_F(TimerFacet, ListsPendingTimers) {
  ASSERT_FALSE(start_periodic("b", 1s));
  ASSERT_FALSE(start_once("a", 2s));
  in_actor(*rt, a, [&](actor* self) {
    auto xs = timers(self).list();
    ASSERT_EQ(xs.size(), 2u);
    EXPECT_EQ(xs[0].name, "a");
    EXPECT_FALSE(xs[0].periodic);
    EXPECT_EQ(xs[0].next_due, t0 + 2s);
    EXPECT_EQ(xs[1].name, "b");
    EXPECT_TRUE(xs[1].periodic);
    EXPECT_EQ(xs[1].interval, 1s);
    EXPECT_TRUE(timers(self).active("a"));
    EXPECT_EQ(timers(self).cancel_all(), 2u);
    EXPECT_FALSE(timers(self).active("a"));
    EXPECT_FALSE(timers(self).cancel("a"));
  });
}

// Every bad input is an error value with a clear message.
TEST_F(TimerFacet, RejectsBadInput) {
  auto code = [](const caf::error& err) { return code_of(err); };
  EXPECT_EQ(code(start_once("", 1s)), errc::invalid_argument);
  EXPECT_EQ(code(start_once("neg", -1ms)), errc::invalid_argument);
  EXPECT_EQ(code(start_periodic("zero", 0s)), errc::invalid_argument);
  EXPECT_EQ(code(start_periodic("neg", -5s)), errc::invalid_argument);
  EXPECT_EQ(code(start_periodic("tiny", 1us)), errc::out_of_range);
  auto far = std::chrono::hours{24 * 365 * 101};
  auto err = start_once("far", far);
  EXPECT_EQ(code(err), errc::out_of_range);
  EXPECT_NE(describe(err).find("exceeds the longest timer"), std::string::npos)
    << describe(err);
  periodic_options opts;
  opts.initial_delay = -1s;
  EXPECT_EQ(code(start_periodic("init", 1s, opts)), errc::invalid_argument);
  EXPECT_EQ(service().pending(), 0u);
}

// The per-actor limit rejects new names but allows replacing existing ones.
TEST(TimerFacetLimit, PerActorLimit) {
  auto rt = test::timer_runtime();
  auto rec = std::make_shared<recording>();
  auto a = rt->spawn(recorder(rec, 3));
  in_actor(*rt, a, [](actor* self) {
    auto& t = timers(self);
    ASSERT_FALSE(t.start_once("a", 1s));
    ASSERT_FALSE(t.start_once("b", 1s));
    ASSERT_FALSE(t.start_once("c", 1s));
    auto err = t.start_once("d", 1s);
    EXPECT_EQ(code_of(err), errc::limit_reached);
    EXPECT_NE(describe(err).find("max-timers"), std::string::npos);
    EXPECT_FALSE(t.start_once("c", 2s)) << "replacing must not count";
    EXPECT_EQ(t.count(), 3u);
  });
}

// A timer that lives long enough to cross every wheel level fires exactly.
TEST_F(TimerFacet, FarFutureTimerFiresExactly) {
  auto delay = std::chrono::hours{24 * 40} + 123ms; // ~40 days
  ASSERT_FALSE(start_once("far", delay));
  rt->advance(delay - 1s, std::chrono::hours{1});
  EXPECT_TRUE(rec->fires.empty());
  rt->advance(1s);
  ASSERT_EQ(rec->fires.size(), 1u);
  EXPECT_EQ(rec->fires[0].scheduled, t0 + delay);
  EXPECT_LE(rec->fires[0].actual - rec->fires[0].scheduled, 1ms);
}

// Terminating an actor cancels and frees all its timers.
TEST_F(TimerFacet, TerminationCancelsEverything) {
  ASSERT_FALSE(start_periodic("a", 10ms));
  ASSERT_FALSE(start_once("b", 1h));
  EXPECT_EQ(service().pending(), 2u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  rt->run_until_idle();
  EXPECT_EQ(service().pending(), 0u);
  rt->advance(100ms);
  EXPECT_TRUE(rec->fires.empty());
}

// A pending timer does not keep an unreferenced actor alive.
TEST(TimerFacetLifetime, TimerNeverKeepsActorAlive) {
  auto rt = test::timer_runtime();
  auto rec = std::make_shared<recording>();
  caf::weak_actor_ptr weak;
  {
    auto a = rt->spawn(recorder(rec));
    weak = caf::actor_cast<caf::weak_actor_ptr>(a);
    in_actor(*rt, a, [](actor* self) {
      ASSERT_FALSE(timers(self).start_once("t", 1h));
    });
  }
  rt->run_until_idle();
  EXPECT_EQ(weak.lock(), nullptr) << "the timer kept the actor alive";
  rt->advance(1h, 10min);
  EXPECT_TRUE(rec->fires.empty());
}

// Deactivating a virtual actor cancels its timers, and timer fires do not
// count as activity.
TEST(TimerFacetVirtual, DeactivationCancelsAndFiresAreNotActivity) {
  auto rt = test::timer_runtime();
  auto rec = std::make_shared<recording>();
  ASSERT_FALSE(
    rt->define("ticker", recorder(rec), actor_type_options{5s, {}, {}}));
  auto ref = rt->ref("ticker", "1").value();
  ASSERT_FALSE(ref.send(test::run_in_actor{[](actor* self) {
    ASSERT_FALSE(timers(self).start_periodic("tick", 1s));
  }}));
  rt->run_until_idle();
  rt->advance(6s, 100ms);
  EXPECT_EQ(rt->registry().active_count(), 0u)
    << "timer fires kept the actor active";
  EXPECT_GE(rec->fires.size(), 4u);
  auto before = rec->fires.size();
  EXPECT_EQ(rt->find_service<timer_service>()->pending(), 0u);
  rt->advance(5s, 100ms);
  EXPECT_EQ(rec->fires.size(), before);
}

// Many actors with many timers: every timer fires once, never early.
TEST(TimerFacetScale, ManyActorsManyTimers) {
  auto rt = test::timer_runtime();
  auto t0 = rt->clock().now();
  constexpr int actors = 50;
  constexpr int per_actor = 200;
  std::vector<std::shared_ptr<recording>> recs;
  std::vector<caf::actor> handles; // timers alone do not keep actors alive
  std::vector<std::vector<clock::duration>> delays(actors);
  std::mt19937 rng{42};
  std::uniform_int_distribution<int> dist{0, 5000};
  for (int i = 0; i < actors; ++i) {
    recs.push_back(std::make_shared<recording>());
    auto a = rt->spawn(recorder(recs.back()));
    handles.push_back(a);
    for (int j = 0; j < per_actor; ++j)
      delays[i].push_back(std::chrono::milliseconds{dist(rng)});
    in_actor(*rt, a, [&, i](actor* self) {
      for (int j = 0; j < per_actor; ++j)
        ASSERT_FALSE(
          timers(self).start_once("t" + std::to_string(j), delays[i][j]));
    });
  }
  rt->advance(5001ms, 1ms);
  for (int i = 0; i < actors; ++i) {
    ASSERT_EQ(recs[i]->fires.size(), static_cast<size_t>(per_actor));
    for (const auto& f : recs[i]->fires) {
      auto j = std::stoi(f.name.substr(1));
      EXPECT_EQ(f.scheduled, t0 + delays[i][j]);
      EXPECT_GE(f.actual, f.scheduled);
    }
  }
  EXPECT_EQ(rt->find_service<timer_service>()->pending(), 0u);
}

// Timers beyond the wheel's range (about 49.7 days) are accepted up to 100
// years: they wait outside the wheel, move in as they come within range,
// and fire exactly on time, never early.
TEST_F(TimerFacet, TimersBeyondTheWheelRangeFireOnTime) {
  auto range = service().max_delay();
  auto far = range * 4 + 1234ms;
  ASSERT_FALSE(start_once("far", far));
  ASSERT_FALSE(start_once("century", std::chrono::hours{24 * 365 * 100}));
  ASSERT_FALSE(start_periodic("slow", range * 2 + 1s));
  rt->advance(far - 1ms, 6h);
  for (const auto& f : rec->fires)
    EXPECT_NE(f.name, "far") << "fired early";
  EXPECT_EQ(rec->fires.size(), 1u) << "one periodic tick, at 2 ranges + 1 s";
  rt->advance(1ms);
  ASSERT_EQ(rec->fires.size(), 2u);
  EXPECT_EQ(rec->fires.back().name, "far");
  EXPECT_EQ(rec->fires.back().scheduled, t0 + far);
  EXPECT_EQ(rec->fires.back().actual, t0 + far);
  for (const auto& f : rec->fires) {
    if (f.name == "slow") {
      EXPECT_EQ((f.scheduled - t0) % (range * 2 + 1s), clock::duration{0});
    }
  }
  rt->advance(1s, 1ms);
  ASSERT_EQ(rec->fires.size(), 3u) << "second periodic tick";
  EXPECT_EQ(rec->fires.back().scheduled, t0 + (range * 2 + 1s) * 2);
  in_actor(*rt, a,
           [](actor* self) { EXPECT_TRUE(timers(self).active("century")); });
}
