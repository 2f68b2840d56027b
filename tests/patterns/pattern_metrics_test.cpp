// Pattern actors in the runtime's metrics registry: queue depths as gauges
// summed over the actors of a kind, rejections and drops as counters, and
// nothing left behind when an actor ends.
#include <deque>

#include <horae/core/metrics.hpp>
#include <horae/patterns/broadcast.hpp>
#include <horae/patterns/rate_limiter.hpp>

#include "patterns/support/pattern_harness.hpp"
#include "patterns/support/sleeper_pool.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  caf::actor client = test::spawn_client(*rt);
  test::outcomes out = test::make_outcomes();

  double metric(const std::string& name) {
    auto value = rt->metrics().value(name);
    EXPECT_TRUE(value) << name << " is not registered";
    return value.value_or(-1);
  }

  caf::actor pool(size_t capacity) {
    return test::sleeper_pool(*rt, 1, capacity);
  }

  void submit(const caf::actor& dest, int ms) {
    test::request_int(*rt, client, dest, caf::make_message(ms), out);
  }
};

using PatternMetrics = fixture;

// A subscriber that acknowledges each message 10ms after it arrived.
actor_factory slow_subscriber() {
  return [](actor* self) -> caf::behavior {
    using promise = caf::typed_response_promise<int>;
    auto pending = std::make_shared<std::deque<promise>>();
    return {
      [self, pending](int x) {
        pending->push_back(self->make_response_promise<int>());
        self->delayed_send(self, 10ms, test::wake_atom::value, x);
        return pending->back();
      },
      [pending](test::wake_atom, int x) {
        pending->front().deliver(x);
        pending->pop_front();
      },
    };
  };
}

} // namespace

// A full queue shows in the queued gauge; jobs beyond it count as rejected.
TEST_F(PatternMetrics, WorkerPoolQueueAndRejections) {
  auto p = pool(2);
  for (int i = 0; i < 5; ++i)
    submit(p, 10); // 1 running, 2 queued, 2 rejected
  EXPECT_EQ(metric("horae_worker_pool_queued"), 2);
  EXPECT_EQ(metric("horae_worker_pool_rejected_total"), 2);
  EXPECT_EQ(metric("horae_worker_pool_held"), 0);
  rt->advance(30ms);
  EXPECT_EQ(metric("horae_worker_pool_queued"), 0);
  EXPECT_EQ(test::count(out, errc::none), 3u);
}

// Two pools add up in the same gauge; a pool that ends takes its part back.
TEST_F(PatternMetrics, EndedPoolLeavesNothingBehind) {
  auto first = pool(4);
  auto second = pool(4);
  for (int i = 0; i < 3; ++i) {
    submit(first, 10);
    submit(second, 10);
  }
  EXPECT_EQ(metric("horae_worker_pool_queued"), 4);
  caf::anon_send_exit(first, caf::exit_reason::kill);
  first = nullptr;
  rt->run_until_idle();
  EXPECT_EQ(metric("horae_worker_pool_queued"), 2);
  EXPECT_NE(rt->metrics().prometheus_text().find("horae_worker_pool_queued 2"),
            std::string::npos);
}

// Waiters show in the waiting gauge; beyond max_waiters they are rejected,
// and a failed try_acquire counts as denied.
TEST_F(PatternMetrics, RateLimiterWaitersRejectionsAndDenials) {
  rate_limiter_options opts;
  opts.burst = 1;
  opts.refill_interval = 100ms;
  opts.max_waiters = 1;
  auto l = spawn_rate_limiter(*rt, opts);
  ASSERT_TRUE(l) << describe(l.error());
  for (int i = 0; i < 3; ++i) // a token, a waiter, a rejection
    test::in_actor(*rt, client, [dest = *l](actor* self) {
      self->request(dest, caf::infinite, acquire_atom::value)
        .then([](uint64_t) {}, [](caf::error&) {});
    });
  EXPECT_EQ(metric("horae_rate_limiter_waiting"), 1);
  EXPECT_EQ(metric("horae_rate_limiter_rejected_total"), 1);
  EXPECT_FALSE(test::ask<bool>(*rt, client, *l,
                               caf::make_message(try_acquire_atom::value)));
  EXPECT_EQ(metric("horae_rate_limiter_denied_total"), 1);
  rt->advance(100ms);
  EXPECT_EQ(metric("horae_rate_limiter_waiting"), 0);
}

// A slow subscriber's backlog shows in the buffered gauge and every message
// beyond its bound counts as dropped.
TEST_F(PatternMetrics, BroadcastDropsForSlowSubscriber) {
  auto bc = spawn_broadcast(*rt, {3, 1, slow_subscriber_policy::drop_newest});
  ASSERT_TRUE(bc) << describe(bc.error());
  auto sub = rt->spawn(slow_subscriber());
  ASSERT_TRUE(test::ask<bool>(*rt, client, *bc,
                              caf::make_message(subscribe_atom::value, sub)));
  for (int i = 1; i <= 10; ++i) // 1 in flight, 2 buffered, 7 dropped
    caf::anon_send(*bc, i);
  rt->run_until_idle();
  EXPECT_EQ(metric("horae_broadcast_buffered"), 2);
  EXPECT_EQ(metric("horae_broadcast_dropped_total"), 7);
  EXPECT_EQ(metric("horae_broadcast_evicted_total"), 0);
  rt->advance(100ms);
  EXPECT_EQ(metric("horae_broadcast_buffered"), 0);
}
