// The calendar sets of a five-field cron expression, parsed but not yet tied
// to a time zone.
#pragma once

#include <bitset>
#include <string_view>

#include <caf/expected.hpp>

namespace horae {

/// The minutes, hours, days and months one cron expression allows. Every set
/// is a bit per value, so matching a calendar minute costs a few bit tests.
struct cron_fields {
  /// Minutes 0 to 59.
  std::bitset<60> minutes;

  /// Hours 0 to 23.
  std::bitset<24> hours;

  /// Days of the month 1 to 31 (bit 0 unused).
  std::bitset<32> days_of_month;

  /// Months 1 to 12 (bit 0 unused).
  std::bitset<13> months;

  /// Days of the week, 0 (Sunday) to 6 (Saturday); 7 in the text is Sunday.
  std::bitset<7> days_of_week;

  /// The day-of-month field starts with `*` (such as `*` or `*/2`).
  bool day_of_month_star = true;

  /// The day-of-week field starts with `*`.
  bool day_of_week_star = true;

  /// Whether a calendar day is one the expression allows. When both day
  /// fields are restricted (neither starts with `*`), a day matches if
  /// either field does, as in the classic cron; otherwise both must.
  /// @param month 1 to 12.
  /// @param day 1 to 31.
  /// @param weekday 0 (Sunday) to 6.
  bool matches_day(unsigned month, unsigned day,
                   unsigned weekday) const noexcept;
};

/// Parses the five fields `minute hour day-of-month month day-of-week`,
/// each `*`, a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n`, or a
/// comma-separated list of those; months `jan` to `dec` and days `sun` to
/// `sat` by name too (any case). `@yearly`, `@annually`, `@monthly`,
/// `@weekly`, `@daily`, `@midnight` and `@hourly` stand for their usual
/// expressions.
/// @returns the fields, or an `errc::invalid_argument` error that names the
///          field and quotes the text it could not read; also for a day of
///          the month that no allowed month has (`0 0 30 2 *`).
caf::expected<cron_fields> parse_cron_fields(std::string_view expression);

} // namespace horae
