// Token-bucket rate limiter under a manual clock: burst, refill per tick
// capped at the burst, waiting acquires, deadlines and bounds.
#include <horae/patterns/rate_limiter.hpp>

#include "patterns/support/pattern_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using test::count;

namespace {

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  caf::actor client = test::spawn_client(*rt);
  test::outcomes out = test::make_outcomes();

  caf::actor limiter(uint64_t burst = 3, size_t max_waiters = 16) {
    rate_limiter_options opts;
    opts.burst = burst;
    opts.tokens_per_refill = 1;
    opts.refill_interval = 100ms;
    opts.max_waiters = max_waiters;
    auto res = spawn_rate_limiter(*rt, opts);
    EXPECT_TRUE(res) << describe(res.error());
    return *res;
  }

  bool try_acquire(const caf::actor& l) {
    return test::ask<bool>(*rt, client, l,
                           caf::make_message(try_acquire_atom::value));
  }

  void acquire(const caf::actor& l) {
    auto o = out;
    test::in_actor(*rt, client, [=](actor* self) {
      self->request(l, caf::infinite, acquire_atom::value)
        .then(
          [o](uint64_t left) {
            o->push_back({true, static_cast<int>(left), errc::none, {}});
          },
          [o](caf::error& e) {
            o->push_back({false, 0, code_of(e), {}});
          });
    });
  }

  void acquire_within(const caf::actor& l, caf::timespan max_wait) {
    auto o = out;
    test::in_actor(*rt, client, [=](actor* self) {
      self->request(l, caf::infinite, acquire_atom::value, max_wait)
        .then(
          [o](uint64_t) {
            o->push_back({true, 0, errc::none, {}});
          },
          [o](caf::error& e) {
            o->push_back({false, 0, code_of(e), {}});
          });
    });
  }

  rate_limiter_stats stats(const caf::actor& l) {
    return test::ask<rate_limiter_stats>(*rt, client, l,
                                         caf::make_message(stats_atom::value));
  }
};

using RateLimiter = fixture;

} // namespace

// A full bucket allows exactly `burst` tokens at once, then says no.
TEST_F(RateLimiter, AllowsBurstThenDenies) {
  auto l = limiter(3);
  EXPECT_TRUE(try_acquire(l));
  EXPECT_TRUE(try_acquire(l));
  EXPECT_TRUE(try_acquire(l));
  EXPECT_FALSE(try_acquire(l));
  auto s = stats(l);
  EXPECT_EQ(s.granted, 3u);
  EXPECT_EQ(s.denied, 1u);
  EXPECT_EQ(s.tokens, 0u);
}

// Each refill tick adds exactly one token, at exactly the interval.
TEST_F(RateLimiter, RefillAddsOneTokenPerTick) {
  auto l = limiter(3);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(try_acquire(l));
  rt->advance(99ms);
  EXPECT_FALSE(try_acquire(l));
  rt->advance(1ms);
  EXPECT_TRUE(try_acquire(l));
  EXPECT_FALSE(try_acquire(l));
  rt->advance(200ms);
  EXPECT_EQ(stats(l).tokens, 2u);
}

// However long the quiet period, the bucket holds at most `burst` tokens.
TEST_F(RateLimiter, RefillStopsAtBurst) {
  auto l = limiter(3);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(try_acquire(l));
  rt->advance(10s, 100ms);
  EXPECT_EQ(stats(l).tokens, 3u);
}

// Ticks folded into one fire (coalesced) still each add a token.
TEST_F(RateLimiter, CoalescedTicksAreNotLost) {
  auto l = limiter(10);
  caf::anon_send(l, try_acquire_atom::value, uint64_t{10});
  rt->run_until_idle();
  rt->advance(350ms, 350ms); // one step: ticks 100, 200, 300 fold together
  EXPECT_EQ(stats(l).tokens, 3u);
}

// acquire waits for a refill and waiters are served first-come first-served.
TEST_F(RateLimiter, AcquireWaitsForRefillInOrder) {
  auto l = limiter(1);
  acquire(l); // takes the only token at once
  acquire(l);
  acquire(l);
  EXPECT_EQ(out->size(), 1u);
  rt->advance(100ms);
  EXPECT_EQ(out->size(), 2u);
  rt->advance(100ms);
  EXPECT_EQ(count(out, errc::none), 3u);
  EXPECT_EQ(stats(l).waiting, 0u);
}

// try_acquire never overtakes a waiting acquire.
TEST_F(RateLimiter, TryAcquireDoesNotOvertakeWaiters) {
  auto l = limiter(2);
  ASSERT_TRUE(try_acquire(l));
  ASSERT_TRUE(try_acquire(l));
  acquire(l);
  rt->advance(100ms); // the refilled token goes to the waiter
  EXPECT_EQ(count(out, errc::none), 1u);
  EXPECT_FALSE(try_acquire(l));
}

// acquire with a deadline fails with errc::timeout exactly at it.
TEST_F(RateLimiter, AcquireWithDeadlineTimesOut) {
  auto l = limiter(1);
  ASSERT_TRUE(try_acquire(l));
  acquire_within(l, 50ms);
  rt->advance(49ms);
  EXPECT_TRUE(out->empty());
  rt->advance(1ms);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0).code, errc::timeout);
  rt->advance(100ms);
  EXPECT_EQ(stats(l).tokens, 1u) << "token granted to a timed-out waiter";
}

// Waiters beyond max_waiters are refused with errc::backpressure.
TEST_F(RateLimiter, RefusesWaitersBeyondBound) {
  auto l = limiter(1, 1);
  ASSERT_TRUE(try_acquire(l));
  acquire(l);
  acquire(l);
  EXPECT_EQ(count(out, errc::backpressure), 1u);
}

// Bad options are refused with errc::invalid_argument.
TEST_F(RateLimiter, RejectsInvalidOptions) {
  auto bad = [&](auto mutate) {
    rate_limiter_options o;
    mutate(o);
    auto res = spawn_rate_limiter(*rt, o);
    return !res && code_of(res.error()) == errc::invalid_argument;
  };
  EXPECT_TRUE(bad([](auto& o) { o.burst = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.tokens_per_refill = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.refill_interval = 0ms; }));
  EXPECT_TRUE(bad([](auto& o) { o.refill_interval = -5ms; }));
}
