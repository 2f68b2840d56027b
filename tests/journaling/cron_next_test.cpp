// cron_schedule::next_after: the first matching minute strictly after a
// time, across month ends, leap years, the day rule and daylight saving in
// real zones.
#include <initializer_list>
#include <string>

#include <horae/core/error.hpp>
#include <horae/journaling/cron_schedule.hpp>

#include "journaling/support/civil_time.hpp"
#include <gtest/gtest.h>

using namespace horae;
using horae::test::utc;

namespace {

cron_schedule schedule(const std::string& expr,
                       const std::string& zone = "UTC") {
  auto result = cron_schedule::parse(expr, zone);
  if (!result)
    throw std::runtime_error(describe(result.error()));
  return *result;
}

clock::wall_time next(const cron_schedule& s, clock::wall_time t) {
  auto result = s.next_after(t);
  if (!result) {
    ADD_FAILURE() << s.expression() << ": " << describe(result.error());
    return {};
  }
  return *result;
}

/// Checks that the matches following `from` are `expected`, in order.
void expect_matches(const cron_schedule& s, clock::wall_time from,
                    std::initializer_list<clock::wall_time> expected) {
  auto t = from;
  for (auto want : expected) {
    t = next(s, t);
    EXPECT_EQ(t, want) << "after " << (t - from).count() << " ns";
  }
}

} // namespace

// Strictly after: a time on a match moves to the following one; seconds
// within a minute round up to the next minute.
TEST(CronNext, StrictlyAfterTheGivenTime) {
  auto s = schedule("*/15 * * * *");
  EXPECT_EQ(next(s, utc(2026, 1, 1, 10, 7, 30)), utc(2026, 1, 1, 10, 15));
  EXPECT_EQ(next(s, utc(2026, 1, 1, 10, 15)), utc(2026, 1, 1, 10, 30));
  EXPECT_EQ(next(s, utc(2026, 1, 1, 23, 50)), utc(2026, 1, 2, 0, 0));
  auto fraction = utc(2026, 1, 1, 10, 14, 59) + std::chrono::milliseconds{999};
  EXPECT_EQ(next(s, fraction), utc(2026, 1, 1, 10, 15));
}

// Working days at nine: Friday evening moves to Monday.
TEST(CronNext, WeekdaysSkipTheWeekend) {
  auto s = schedule("0 9 * * mon-fri");
  // 2 January 2026 is a Friday.
  EXPECT_EQ(next(s, utc(2026, 1, 2, 10, 0)), utc(2026, 1, 5, 9, 0));
}

// The 31st exists only in long months; the year's end rolls over.
TEST(CronNext, MonthEnds) {
  auto s = schedule("0 0 31 * *");
  EXPECT_EQ(next(s, utc(2026, 4, 1)), utc(2026, 5, 31));
  EXPECT_EQ(next(s, utc(2026, 12, 31)), utc(2027, 1, 31));
  auto last_of_year = schedule("59 23 31 12 *");
  EXPECT_EQ(next(last_of_year, utc(2026, 6, 1)), utc(2026, 12, 31, 23, 59));
}

// 29 February only in leap years, and 2100 is none.
TEST(CronNext, LeapYears) {
  auto s = schedule("0 12 29 feb *");
  EXPECT_EQ(next(s, utc(2026, 3, 1)), utc(2028, 2, 29, 12, 0));
  EXPECT_EQ(next(s, utc(2096, 3, 1)), utc(2104, 2, 29, 12, 0));
}

// Both day fields restricted: the 13th or a Friday. A star-form day of the
// month: odd days that are Fridays.
TEST(CronNext, DayOfMonthOrDayOfWeek) {
  auto either = schedule("0 0 13 * fri");
  expect_matches(either, utc(2026, 1, 1),
                 {utc(2026, 1, 2),    // Friday
                  utc(2026, 1, 9),    // Friday
                  utc(2026, 1, 13)}); // Tuesday the 13th
  auto both = schedule("0 0 */2 * fri");
  EXPECT_EQ(next(both, utc(2026, 1, 1)), utc(2026, 1, 9));
}

// A named zone: nine o'clock in Berlin is eight UTC in winter, seven in
// summer.
TEST(CronNext, NamedZoneOffsets) {
  auto s = schedule("0 9 * * *", "Europe/Berlin");
  EXPECT_EQ(next(s, utc(2026, 1, 10)), utc(2026, 1, 10, 8, 0));
  EXPECT_EQ(next(s, utc(2026, 7, 10)), utc(2026, 7, 10, 7, 0));
}

// Spring forward in Berlin (29 March 2026, 02:00 CET becomes 03:00 CEST at
// 01:00 UTC): 02:30 does not exist that day and fires once as the gap
// ends, then at 02:30 CEST the next day.
TEST(CronNext, NonexistentLocalTimeFiresOnceAtTheEndOfTheGap) {
  auto s = schedule("30 2 * * *", "Europe/Berlin");
  auto gap_end = utc(2026, 3, 29, 1, 0);
  EXPECT_EQ(next(s, utc(2026, 3, 28, 12, 0)), gap_end);
  EXPECT_EQ(next(s, gap_end), utc(2026, 3, 30, 0, 30));
}

// Spring forward in New York (8 March 2026, 02:00 EST becomes 03:00 EDT at
// 07:00 UTC): every half hour, the gap's 02:00 and 02:30 and the 03:00
// that follows are one fire.
TEST(CronNext, MatchesInsideAGapAreOneFire) {
  auto s = schedule("*/30 * * * *", "America/New_York");
  expect_matches(s, utc(2026, 3, 8, 6, 0),  // from 01:00 EST
                 {utc(2026, 3, 8, 6, 30),   // 01:30 EST
                  utc(2026, 3, 8, 7, 0),    // 03:00 EDT
                  utc(2026, 3, 8, 7, 30)}); // 03:30 EDT
}

// Fall back in Berlin (25 October 2026, 03:00 CEST becomes 02:00 CET at
// 01:00 UTC): 02:30 occurs twice and fires at the first, 00:30 UTC.
TEST(CronNext, RepeatedLocalTimeFiresOnceAtItsFirstOccurrence) {
  auto s = schedule("30 2 * * *", "Europe/Berlin");
  auto first = utc(2026, 10, 25, 0, 30);
  EXPECT_EQ(next(s, utc(2026, 10, 24, 12, 0)), first);
  EXPECT_EQ(next(s, first), utc(2026, 10, 26, 1, 30)) << "fired twice";
}

// Fall back in New York (1 November 2026, 02:00 EDT becomes 01:00 EST at
// 06:00 UTC): the repeated hour's minutes fire in its first pass only.
TEST(CronNext, RepeatedHourFiresOnlyInItsFirstPass) {
  auto s = schedule("*/30 * * * *", "America/New_York");
  expect_matches(s, utc(2026, 11, 1, 5, 0), // from 01:00 EDT
                 {utc(2026, 11, 1, 5, 30),  // 01:30 EDT
                  utc(2026, 11, 1, 7, 0)}); // 02:00 EST, after the second pass
  // From inside the second pass, the next fire is still 02:00 EST.
  EXPECT_EQ(next(s, utc(2026, 11, 1, 6, 10)), utc(2026, 11, 1, 7, 0));
}

// Searches are bounded: no match before 2200, or a start outside the
// range, is an error, never an endless loop.
TEST(CronNext, NoMatchBefore2200IsAnError) {
  auto s = schedule("0 0 2 1 *");
  auto res = s.next_after(utc(2199, 6, 1));
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::out_of_range);
  EXPECT_EQ(next(schedule("0 0 1 1 *"), utc(2199, 6, 1)), utc(2200, 1, 1));
  res = s.next_after(clock::wall_time{std::chrono::seconds{-1}});
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::out_of_range);
  // Weekday and day combinations that are rare still resolve.
  EXPECT_EQ(next(schedule("0 0 */28 feb mon"), utc(2026, 1, 1)),
            utc(2027, 2, 1));
}
