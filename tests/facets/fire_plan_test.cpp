// plan_fire's arithmetic at the edges of the 64-bit time range: nothing
// wraps, so no next due time ever lands in the past.
#include <horae/core/saturating_time.hpp>

#include "reminders/fire_plan.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

reminder_record periodic(clock::wall_time due, clock::duration period,
                         missed_tick_policy policy) {
  reminder_record rec;
  rec.key = reminder_key{"t", "k", "n"};
  rec.anchor = rec.due = due;
  rec.period = period;
  rec.policy = policy;
  return rec;
}

} // namespace

// A period so long that due + period overflows: the next due time stays in
// the future (saturated), under every policy.
TEST(FirePlan, HugePeriodSaturatesInsteadOfWrapping) {
  auto now = clock::wall_time{std::chrono::hours{24 * 365 * 56}};
  for (auto policy : {missed_tick_policy::fire_once, missed_tick_policy::skip,
                      missed_tick_policy::catch_up}) {
    auto rec
      = periodic(now, clock::duration{9'000'000'000'000'000'000}, policy);
    auto plan = plan_fire(rec, now);
    ASSERT_TRUE(plan.next_due) << to_string(policy);
    EXPECT_GT(*plan.next_due, now) << to_string(policy) << ": wrapped";
  }
}

// A due time at the very start of the range, far behind now.
TEST(FirePlan, DueAtTheStartOfTheRangeDoesNotOverflow) {
  auto now = clock::wall_time{std::chrono::hours{24 * 365 * 56}};
  auto rec = periodic(clock::wall_time{clock::duration::min()}, 1h,
                      missed_tick_policy::fire_once);
  auto plan = plan_fire(rec, now);
  EXPECT_TRUE(plan.deliver);
  ASSERT_TRUE(plan.next_due);
  EXPECT_GT(*plan.next_due, clock::wall_time{clock::duration::min()});
}

TEST(SaturatingTime, StopsAtTheEndsOfTheRange) {
  auto max = clock::wall_time{clock::duration::max()};
  auto min = clock::wall_time{clock::duration::min()};
  EXPECT_EQ(saturating_add(max, 1ns), max);
  EXPECT_EQ(saturating_add(min, -1ns), min);
  EXPECT_EQ(saturating_add(clock::wall_time{1s}, 1s), clock::wall_time{2s});
  EXPECT_EQ(saturating_mul(clock::duration::max() / 2, 3),
            clock::duration::max());
  EXPECT_EQ(saturating_mul(-1h, int64_t{1} << 62), clock::duration::min());
  EXPECT_EQ(saturating_sub(max, min), clock::duration::max());
  EXPECT_EQ(saturating_sub(min, max), clock::duration::min());
}
