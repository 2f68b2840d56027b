// Retry with backoff under a manual clock, the backoff schedule and its
// jitter bounds, and request_with_timeout.
#include <horae/patterns/request_timeout.hpp>
#include <horae/patterns/retry.hpp>

#include "patterns/support/pattern_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

struct attempts_log {
  std::vector<clock::time_point> at;
};

// Fails the first `failures` attempts with errc::not_found, then answers
// with the attempt number; logs when each attempt arrived.
actor_factory flaky(std::shared_ptr<attempts_log> log, int failures,
                    errc code = errc::not_found) {
  return [=](actor* self) -> caf::behavior {
    return {[=](int) -> caf::result<int> {
      log->at.push_back(self->clock().now());
      auto n = static_cast<int>(log->at.size());
      if (n <= failures)
        return make_error(code, "attempt " + std::to_string(n));
      return n;
    }};
  };
}

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  caf::actor client = test::spawn_client(*rt);
  test::outcomes out = test::make_outcomes();
  std::shared_ptr<attempts_log> log = std::make_shared<attempts_log>();
  clock::time_point t0 = rt->clock().now();

  caf::actor retry(caf::actor target, uint32_t attempts, double jitter = 0.0,
                   uint64_t seed = 1) {
    retry_options opts;
    opts.target = std::move(target);
    opts.max_attempts = attempts;
    opts.backoff.initial_delay = 100ms;
    opts.backoff.multiplier = 2.0;
    opts.backoff.max_delay = 1s;
    opts.backoff.jitter = jitter;
    opts.backoff.seed = seed;
    auto res = spawn_retry(*rt, opts);
    EXPECT_TRUE(res) << describe(res.error());
    return *res;
  }

  std::vector<clock::duration> offsets() const {
    std::vector<clock::duration> xs;
    for (auto t : log->at)
      xs.push_back(t - t0);
    return xs;
  }
};

using Retry = fixture;
using Backoff = ::testing::Test;
using RequestTimeout = fixture;

} // namespace

// Without jitter, attempts happen at exactly 0, 100, 300, 700 ms.
TEST_F(Retry, DelaysFollowExponentialSchedule) {
  auto target = rt->spawn(flaky(log, 3));
  auto r = retry(target, 5);
  test::request_int(*rt, client, r, caf::make_message(0), out);
  rt->advance(2s, 1ms);
  EXPECT_EQ(offsets(),
            (std::vector<clock::duration>{0ms, 100ms, 300ms, 700ms}));
  ASSERT_EQ(out->size(), 1u);
  EXPECT_TRUE(out->at(0).ok);
  EXPECT_EQ(out->at(0).value, 4);
}

// After max_attempts the requester gets the last attempt's error unchanged.
TEST_F(Retry, ReportsFinalErrorAfterMaxAttempts) {
  auto target = rt->spawn(flaky(log, 100));
  auto r = retry(target, 3);
  test::request_int(*rt, client, r, caf::make_message(0), out);
  rt->advance(2s, 1ms);
  EXPECT_EQ(log->at.size(), 3u);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0).code, errc::not_found);
  EXPECT_NE(out->at(0).what.find("attempt 3"), std::string::npos)
    << out->at(0).what;
  auto s = test::ask<retry_stats>(*rt, client, r,
                                  caf::make_message(stats_atom::value));
  EXPECT_EQ(s.attempts, 3u);
  EXPECT_EQ(s.gave_up, 1u);
}

// retry_if can declare an error final: no further attempt is made.
TEST_F(Retry, RetryIfStopsAtNonRetryableError) {
  auto target = rt->spawn(flaky(log, 100, errc::invalid_argument));
  retry_options opts;
  opts.target = target;
  opts.max_attempts = 5;
  opts.retry_if
    = [](const caf::error& e) { return code_of(e) != errc::invalid_argument; };
  auto r = *spawn_retry(*rt, opts);
  test::request_int(*rt, client, r, caf::make_message(0), out);
  rt->advance(1s);
  EXPECT_EQ(log->at.size(), 1u);
  EXPECT_EQ(out->at(0).code, errc::invalid_argument);
}

// With jitter, the retry actor waits exactly what a backoff with the same
// seed draws, so runs are reproducible.
TEST_F(Retry, JitteredDelaysAreReproducibleForASeed) {
  auto target = rt->spawn(flaky(log, 3));
  auto r = retry(target, 5, 0.5, 42);
  test::request_int(*rt, client, r, caf::make_message(0), out);
  rt->advance(2s, 1ms);
  backoff_options bo;
  bo.initial_delay = 100ms;
  bo.multiplier = 2.0;
  bo.max_delay = 1s;
  bo.jitter = 0.5;
  bo.seed = 42;
  backoff expected{bo};
  auto t = clock::duration::zero();
  std::vector<clock::duration> want{t};
  for (uint32_t n = 0; n < 3; ++n) {
    // The timer resolution is 1 ms: delays are rounded up to it.
    auto d = expected.next(n);
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(d);
    t += ms;
    want.push_back(t);
  }
  EXPECT_EQ(offsets(), want);
}

// A per-attempt timeout turns a silent target into errc::timeout attempts.
TEST_F(Retry, AttemptTimeoutCountsAsFailure) {
  auto target = rt->spawn(test::sleeper());
  retry_options opts;
  opts.target = target;
  opts.max_attempts = 2;
  opts.attempt_timeout = 50ms;
  opts.backoff.initial_delay = 10ms;
  opts.backoff.jitter = 0;
  auto r = *spawn_retry(*rt, opts);
  test::request_int(*rt, client, r, caf::make_message(1000), out);
  rt->advance(109ms);
  EXPECT_TRUE(out->empty());
  rt->advance(1ms);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0).code, errc::timeout);
}

// Bad options are refused with errc::invalid_argument.
TEST_F(Retry, RejectsInvalidOptions) {
  auto target = rt->spawn(flaky(log, 0));
  auto bad = [&](auto mutate) {
    retry_options o;
    o.target = target;
    mutate(o);
    auto res = spawn_retry(*rt, o);
    return !res && code_of(res.error()) == errc::invalid_argument;
  };
  EXPECT_TRUE(bad([](auto& o) { o.target = caf::actor{}; }));
  EXPECT_TRUE(bad([](auto& o) { o.max_attempts = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.attempt_timeout = -1ms; }));
  EXPECT_TRUE(bad([](auto& o) { o.backoff.initial_delay = -1ms; }));
  EXPECT_TRUE(bad([](auto& o) { o.backoff.multiplier = 0.5; }));
  EXPECT_TRUE(bad([](auto& o) { o.backoff.max_delay = 1ms; }));
  EXPECT_TRUE(bad([](auto& o) { o.backoff.jitter = 1.5; }));
  EXPECT_FALSE(bad([](auto&) {}));
}

// Base delays grow by the multiplier and saturate at the cap.
TEST(Backoff, BaseDelaysGrowAndSaturate) {
  backoff b{backoff_options{100ms, 3.0, 1s, 0.0, 1}};
  EXPECT_EQ(b.base(0), 100ms);
  EXPECT_EQ(b.base(1), 300ms);
  EXPECT_EQ(b.base(2), 900ms);
  EXPECT_EQ(b.base(3), 1s);
  EXPECT_EQ(b.base(200), 1s) << "overflowed instead of saturating";
}

// Every jittered delay lies within [base * (1 - jitter), base], and the
// draws actually vary.
TEST(Backoff, JitterStaysWithinBounds) {
  backoff b{backoff_options{100ms, 2.0, 5s, 0.3, 7}};
  for (uint32_t n = 0; n < 8; ++n) {
    auto lo = b.lower_bound(n);
    auto hi = b.base(n);
    EXPECT_EQ(lo, std::chrono::duration_cast<clock::duration>(hi * 0.7));
    clock::duration min = hi, max = lo;
    for (int i = 0; i < 2'000; ++i) {
      auto d = b.next(n);
      ASSERT_GE(d, lo);
      ASSERT_LE(d, hi);
      min = std::min(min, d);
      max = std::max(max, d);
    }
    EXPECT_LT(min, lo + (hi - lo) / 10) << "never near the lower bound";
    EXPECT_GT(max, hi - (hi - lo) / 10) << "never near the upper bound";
  }
}

// Zero jitter yields exactly the base delays.
TEST(Backoff, ZeroJitterIsExact) {
  backoff b{backoff_options{50ms, 2.0, 1s, 0.0, 3}};
  EXPECT_EQ(b.next(0), 50ms);
  EXPECT_EQ(b.next(2), 200ms);
}

// A response within the deadline reaches the callback.
TEST_F(RequestTimeout, AnswerWithinDeadline) {
  auto target = rt->spawn(test::sleeper());
  auto got = std::make_shared<int>(0);
  test::in_actor(*rt, client, [&](actor* self) {
    auto err = request_with_timeout(self, target, 50ms, caf::make_message(40),
                                    [got](caf::expected<caf::message> x) {
                                      *got = x ? x->get_as<int>(0) : -1;
                                    });
    EXPECT_FALSE(err);
  });
  rt->advance(40ms);
  EXPECT_EQ(*got, 40);
}

// No response within the deadline: errc::timeout exactly at the deadline.
TEST_F(RequestTimeout, TimesOutWithHoraeError) {
  auto target = rt->spawn(test::sleeper());
  auto code = std::make_shared<std::optional<errc>>();
  auto timed_out = std::make_shared<bool>(false);
  test::in_actor(*rt, client, [&](actor* self) {
    request_with_timeout(self, target, 50ms, caf::make_message(100),
                         [code, timed_out](caf::expected<caf::message> x) {
                           *code = x ? errc::none : code_of(x.error());
                           *timed_out = !x && is_timeout(x.error());
                         });
  });
  rt->advance(49ms);
  EXPECT_FALSE(*code);
  rt->advance(1ms);
  ASSERT_TRUE(*code);
  EXPECT_EQ(**code, errc::timeout);
  EXPECT_TRUE(*timed_out) << "is_timeout does not recognise it";
}

// A non-positive timeout is refused and nothing is sent.
TEST_F(RequestTimeout, RejectsNonPositiveTimeout) {
  auto started = std::make_shared<int>(0);
  auto target = rt->spawn(test::sleeper(started));
  test::in_actor(*rt, client, [&](actor* self) {
    auto err = request_with_timeout(self, target, 0ms, caf::make_message(1),
                                    [](caf::expected<caf::message>) {});
    EXPECT_EQ(code_of(err), errc::invalid_argument);
  });
  EXPECT_EQ(*started, 0);
}
