// plan_fire for cron reminders: the missed-tick policies over matching
// minutes, max fires and expiry, and the bound on counting missed ticks.
#include "journaling/support/civil_time.hpp"
#include "reminders/fire_plan.hpp"
#include "reminders/schedule_ticks.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::utc;

namespace {

/// Hourly on the hour, first due at 01:00 on 1 January 2026.
reminder_record hourly(missed_tick_policy policy) {
  reminder_record rec;
  rec.key = reminder_key{"t", "k", "n"};
  rec.cron = "0 * * * *";
  rec.time_zone = "UTC";
  rec.anchor = rec.due = utc(2026, 1, 1, 1, 0);
  rec.policy = policy;
  return rec;
}

} // namespace

// On time: one fire, nothing missed, the next match next.
TEST(CronFirePlan, OnTimeFireMovesToTheNextMatch) {
  for (auto policy : {missed_tick_policy::fire_once, missed_tick_policy::skip,
                      missed_tick_policy::catch_up}) {
    auto plan = plan_fire(hourly(policy), utc(2026, 1, 1, 1, 0, 3));
    EXPECT_TRUE(plan.deliver) << to_string(policy);
    EXPECT_EQ(plan.missed, 0u) << to_string(policy);
    EXPECT_EQ(plan.fire_count, 1u);
    ASSERT_TRUE(plan.next_due);
    EXPECT_EQ(*plan.next_due, utc(2026, 1, 1, 2, 0)) << to_string(policy);
  }
}

// Handled at 04:30, the ticks of 02:00, 03:00 and 04:00 were missed too.
TEST(CronFirePlan, MissedTicksFollowThePolicy) {
  auto now = utc(2026, 1, 1, 4, 30);
  auto once = plan_fire(hourly(missed_tick_policy::fire_once), now);
  EXPECT_TRUE(once.deliver);
  EXPECT_EQ(once.missed, 3u);
  EXPECT_EQ(once.next_due, utc(2026, 1, 1, 5, 0));
  auto skip = plan_fire(hourly(missed_tick_policy::skip), now);
  EXPECT_FALSE(skip.deliver);
  EXPECT_EQ(skip.fire_count, 0u);
  EXPECT_EQ(skip.next_due, utc(2026, 1, 1, 5, 0));
  auto catch_up = plan_fire(hourly(missed_tick_policy::catch_up), now);
  EXPECT_TRUE(catch_up.deliver);
  EXPECT_EQ(catch_up.missed, 0u);
  EXPECT_EQ(catch_up.next_due, utc(2026, 1, 1, 2, 0));
}

// Max fires and expiry end a cron reminder as they end a grid one.
TEST(CronFirePlan, MaxFiresAndExpiryFinishIt) {
  auto rec = hourly(missed_tick_policy::fire_once);
  rec.max_fires = 3;
  rec.fire_count = 2;
  EXPECT_FALSE(plan_fire(rec, rec.due).next_due);
  rec = hourly(missed_tick_policy::fire_once);
  rec.expires = utc(2026, 1, 1, 1, 30);
  auto plan = plan_fire(rec, rec.due);
  EXPECT_TRUE(plan.deliver);
  EXPECT_FALSE(plan.next_due) << "next match lies after the expiry";
}

// A year of downtime under an every-minute schedule: the count stops at
// its bound, the next fire is still the first minute after now.
TEST(CronFirePlan, CountingMissedTicksIsBounded) {
  auto rec = hourly(missed_tick_policy::fire_once);
  rec.cron = "* * * * *";
  auto now = utc(2027, 1, 1, 0, 0, 30);
  auto plan = plan_fire(rec, now);
  EXPECT_EQ(plan.missed, detail::max_counted_ticks);
  EXPECT_EQ(plan.next_due, utc(2027, 1, 1, 0, 1));
}

// A schedule that can no longer be read (a zone gone from the system)
// delivers this fire and finishes instead of guessing a next time.
TEST(CronFirePlan, UnreadableScheduleFinishes) {
  auto rec = hourly(missed_tick_policy::fire_once);
  rec.time_zone = "Gone/Zone";
  auto plan = plan_fire(rec, rec.due);
  EXPECT_TRUE(plan.deliver);
  EXPECT_FALSE(plan.next_due);
}
