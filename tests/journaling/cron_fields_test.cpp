// Parsing of cron expressions: the accepted syntax, the day rule, and
// errors that name the field and the text they could not read.
#include <string>

#include <horae/core/error.hpp>
#include <horae/journaling/cron_fields.hpp>
#include <horae/journaling/cron_schedule.hpp>

#include <gtest/gtest.h>

using namespace horae;

namespace {

cron_fields parsed(const std::string& text) {
  auto result = parse_cron_fields(text);
  if (!result) {
    ADD_FAILURE() << text << ": " << describe(result.error());
    return {};
  }
  return *result;
}

/// The error message of a rejected expression; fails if it was accepted.
std::string rejection(const std::string& text) {
  auto result = parse_cron_fields(text);
  if (result) {
    ADD_FAILURE() << text << " was accepted";
    return {};
  }
  EXPECT_EQ(code_of(result.error()), errc::invalid_argument) << text;
  return describe(result.error());
}

} // namespace

// A star allows every value of its field.
TEST(CronFields, StarAllowsEverything) {
  auto f = parsed("* * * * *");
  EXPECT_EQ(f.minutes.count(), 60u);
  EXPECT_EQ(f.hours.count(), 24u);
  EXPECT_EQ(f.days_of_month.count(), 31u);
  EXPECT_EQ(f.months.count(), 12u);
  EXPECT_EQ(f.days_of_week.count(), 7u);
}

// Lists, ranges and steps combine within a field.
TEST(CronFields, ListsRangesAndSteps) {
  auto f = parsed("*/15 1-5 1,15 */4 1-5/2");
  EXPECT_EQ(f.minutes.count(), 4u);
  EXPECT_TRUE(f.minutes[0] && f.minutes[15] && f.minutes[30] && f.minutes[45]);
  EXPECT_EQ(f.hours.count(), 5u);
  EXPECT_TRUE(f.hours[1] && f.hours[5] && !f.hours[0] && !f.hours[6]);
  EXPECT_EQ(f.days_of_month.count(), 2u);
  EXPECT_TRUE(f.days_of_month[1] && f.days_of_month[15]);
  EXPECT_TRUE(f.months[1] && f.months[5] && f.months[9] && !f.months[2]);
  EXPECT_TRUE(f.days_of_week[1] && f.days_of_week[3] && f.days_of_week[5]);
  EXPECT_EQ(f.days_of_week.count(), 3u);
}

// `a/n` runs from a to the end of the field.
TEST(CronFields, StepFromAValueRunsToTheEnd) {
  auto f = parsed("50/5 * * * *");
  EXPECT_EQ(f.minutes.count(), 2u);
  EXPECT_TRUE(f.minutes[50] && f.minutes[55]);
}

// Month and weekday names in any case; 7 and `sun` closing a range are
// Sunday.
TEST(CronFields, NamesAndSundayAsSeven) {
  auto f = parsed("0 0 * JAN,jul Mon-FRI");
  EXPECT_TRUE(f.months[1] && f.months[7]);
  EXPECT_EQ(f.months.count(), 2u);
  EXPECT_EQ(f.days_of_week.count(), 5u);
  EXPECT_FALSE(f.days_of_week[0]);
  EXPECT_TRUE(parsed("0 0 * * 7").days_of_week[0]);
  auto weekend = parsed("0 0 * * fri-sun");
  EXPECT_TRUE(weekend.days_of_week[5] && weekend.days_of_week[6]
              && weekend.days_of_week[0]);
  EXPECT_EQ(weekend.days_of_week.count(), 3u);
  EXPECT_EQ(parsed("0 0 * * sun-sun").days_of_week.count(), 1u);
}

// Shorthands stand for their five fields.
TEST(CronFields, Shorthands) {
  auto daily = parsed("@daily");
  EXPECT_EQ(daily.minutes.count(), 1u);
  EXPECT_EQ(daily.hours.count(), 1u);
  EXPECT_EQ(daily.days_of_month.count(), 31u);
  auto weekly = parsed("@weekly");
  EXPECT_EQ(weekly.days_of_week.count(), 1u);
  EXPECT_TRUE(weekly.days_of_week[0]);
}

// Both day fields restricted: either matches. One of them starting with a
// star: both must.
TEST(CronFields, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  auto either = parsed("0 0 13 * fri");
  EXPECT_TRUE(either.matches_day(1, 13, 2)); // Tuesday the 13th
  EXPECT_TRUE(either.matches_day(1, 2, 5));  // Friday the 2nd
  EXPECT_FALSE(either.matches_day(1, 3, 6)); // Saturday the 3rd
  auto both = parsed("0 0 */2 * fri");
  EXPECT_TRUE(both.matches_day(1, 9, 5));   // odd and Friday
  EXPECT_FALSE(both.matches_day(1, 2, 5));  // Friday but even
  EXPECT_FALSE(both.matches_day(1, 13, 2)); // odd but Tuesday
  auto weekdays_only = parsed("0 0 * * mon");
  EXPECT_TRUE(weekdays_only.matches_day(1, 5, 1));
  EXPECT_FALSE(weekdays_only.matches_day(1, 6, 2));
}

// Each error names the field and quotes the offending text.
TEST(CronFields, RejectsBadFieldsNamingThem) {
  struct bad_field {
    const char* expression;
    const char* says;
  };
  const bad_field cases[] = {
    {"61 * * * *", "minute field '61': out of range 0-59"},
    {"0 24 * * *", "hour field '24': out of range 0-23"},
    {"0 0 0 * *", "day-of-month field '0': out of range 1-31"},
    {"0 0 * 13 *", "month field '13': out of range 1-12"},
    {"0 0 * * 8", "day-of-week field '8': out of range 0-7"},
    {"0 0 * foo *", "month field 'foo': neither a number nor a known name"},
    {"x * * * *", "minute field 'x': not a number"},
  };
  for (const auto& c : cases) {
    auto msg = rejection(c.expression);
    EXPECT_NE(msg.find(c.says), std::string::npos) << msg;
  }
}

// Malformed ranges, steps and lists.
TEST(CronFields, RejectsMalformedItems) {
  EXPECT_NE(rejection("*/0 * * * *").find("step must be at least 1"),
            std::string::npos);
  EXPECT_NE(rejection("*/60 * * * *").find("step exceeds 59"),
            std::string::npos);
  EXPECT_NE(rejection("*/x * * * *").find("step is not a number"),
            std::string::npos);
  EXPECT_NE(rejection("5-1 * * * *").find("range runs backwards"),
            std::string::npos);
  EXPECT_NE(rejection("1,,2 * * * *").find("missing value"), std::string::npos);
  EXPECT_NE(rejection("1- * * * *").find("missing value"), std::string::npos);
  EXPECT_NE(rejection("-1 * * * *").find("missing value"), std::string::npos);
}

// Wrong field counts, unknown shorthands, huge numbers and empty text.
TEST(CronFields, RejectsWrongShapes) {
  EXPECT_NE(rejection("* * * *").find("expected 5 fields"), std::string::npos);
  EXPECT_NE(rejection("* * * * * *").find("found 6"), std::string::npos);
  EXPECT_NE(rejection("").find("found 0"), std::string::npos);
  EXPECT_NE(rejection("@reboot").find("unknown shorthand"), std::string::npos);
  auto msg = rejection("99999999999999999999999 * * * *");
  EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
}

// A day of the month that none of the allowed months has never matches.
TEST(CronFields, RejectsDaysNoMonthHas) {
  auto msg = rejection("0 0 30 2 *");
  EXPECT_NE(msg.find("day-of-month field '30'"), std::string::npos) << msg;
  rejection("0 0 31 apr,jun,sep,nov *");
  // With a weekday as well, the weekday alone still matches.
  EXPECT_TRUE(parse_cron_fields("0 0 30 2 mon"));
  EXPECT_TRUE(parse_cron_fields("0 0 29 2 *")) << "leap days exist";
}

// Whole schedules: overlong text and time zones that do not exist.
TEST(CronSchedule, RejectsOverlongTextAndUnknownZones) {
  auto longer = std::string(cron_schedule::max_expression_length, '*');
  auto res = cron_schedule::parse(longer + " * * * *");
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::invalid_argument);
  res = cron_schedule::parse("* * * * *", "Mars/Olympus_Mons");
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::invalid_argument);
  EXPECT_NE(describe(res.error()).find("time zone 'Mars/Olympus_Mons'"),
            std::string::npos)
    << describe(res.error());
  res = cron_schedule::parse("* * * * *", "");
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::invalid_argument);
  EXPECT_TRUE(cron_schedule::parse("* * * * *", "Europe/Berlin"));
  EXPECT_TRUE(check_time_zone("../../etc/passwd")) << "accepted";
  EXPECT_FALSE(check_time_zone("America/New_York"));
}

// Any white space separates fields, so a line from a crontab reads as typed.
TEST(CronFields, WhiteSpaceSeparatesFields) {
  auto f = parsed("  0\t9 *  * mon-fri\n");
  EXPECT_TRUE(f.minutes[0] && f.hours[9]);
  EXPECT_EQ(f.days_of_week.count(), 5u);
}
