// The real clock reads the same time as std::chrono::steady_clock, which
// the timer thread's sleeps and CAF's own timeouts are measured in: a
// deadline computed from one is never early on the other.
#include <chrono>

#include <horae/core/clock.hpp>
#include <horae/core/manual_clock.hpp>

#include <gtest/gtest.h>

using namespace horae;

TEST(SystemClock, ReadsTheSteadyClock) {
  system_clock clk;
  for (int i = 0; i < 1000; ++i) {
    auto before = std::chrono::steady_clock::now().time_since_epoch();
    auto now = clk.now().time_since_epoch();
    auto after = std::chrono::steady_clock::now().time_since_epoch();
    ASSERT_LE(before, now);
    ASSERT_LE(now, after);
  }
}

TEST(SystemClock, NeverGoesBack) {
  system_clock clk;
  auto last = clk.now();
  for (int i = 0; i < 100000; ++i) {
    auto now = clk.now();
    ASSERT_GE(now, last);
    last = now;
  }
}

TEST(ManualClock, MovesOnlyWhenAdvanced) {
  manual_clock clk;
  auto start = clk.now();
  EXPECT_EQ(clk.now(), start);
  clk.advance(std::chrono::milliseconds{5});
  EXPECT_EQ(clk.now() - start, std::chrono::milliseconds{5});
  clk.advance(std::chrono::milliseconds{-5}); // ignored: time never goes back
  EXPECT_EQ(clk.now() - start, std::chrono::milliseconds{5});
}
