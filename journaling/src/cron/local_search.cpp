// Walks the local calendar day by day, then hour and minute within a day.
#include "cron/local_search.hpp"

#include <date/date.h>

namespace horae::detail {

namespace {

/// First allowed minute of the day at or after `from_minute` (of the day).
std::optional<std::chrono::minutes>
first_minute_of_day(const cron_fields& fields, unsigned from_minute) {
  for (auto hour = from_minute / 60; hour < 24; ++hour) {
    if (!fields.hours[hour])
      continue;
    auto first = hour == from_minute / 60 ? from_minute % 60 : 0u;
    for (auto minute = first; minute < 60; ++minute)
      if (fields.minutes[minute])
        return std::chrono::minutes{hour * 60 + minute};
  }
  return std::nullopt;
}

} // namespace

std::optional<local_minute> first_match(const cron_fields& fields,
                                        local_minute from, local_minute limit) {
  using date::days;
  auto day = date::floor<days>(from);
  auto from_minute = static_cast<unsigned>((from - day).count());
  while (day < limit) {
    date::year_month_day ymd{date::sys_days{day}};
    auto month = static_cast<unsigned>(ymd.month());
    if (!fields.months[month]) {
      // Jump to the first day of the next month.
      auto next = date::year_month{ymd.year(), ymd.month()} + date::months{1};
      day = date::sys_days{next / 1}.time_since_epoch();
      from_minute = 0;
      continue;
    }
    auto weekday = date::weekday{date::sys_days{day}}.c_encoding();
    if (fields.matches_day(month, static_cast<unsigned>(ymd.day()), weekday))
      if (auto minute = first_minute_of_day(fields, from_minute)) {
        auto result = day + *minute;
        if (result < limit)
          return result;
        return std::nullopt;
      }
    day += days{1};
    from_minute = 0;
  }
  return std::nullopt;
}

} // namespace horae::detail
