// Wall-clock times written as calendar dates in UTC, for schedule tests.
#pragma once

#include <horae/core/clock.hpp>

#include <date/date.h>

namespace horae::test {

/// @returns the instant of `year-month-day hour:minute:second` UTC.
inline clock::wall_time utc(int year, unsigned month, unsigned day,
                            unsigned hour = 0, unsigned minute = 0,
                            unsigned second = 0) {
  auto days = date::sys_days{date::year{year} / month / day};
  auto time = days + std::chrono::hours{hour} + std::chrono::minutes{minute}
              + std::chrono::seconds{second};
  return clock::wall_time{time.time_since_epoch()};
}

} // namespace horae::test
