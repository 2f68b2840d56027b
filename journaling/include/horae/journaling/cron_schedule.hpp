// A cron schedule: a five-field cron expression read in a time zone, and the
// rule that finds its next matching minute.
#pragma once

#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/journaling/cron_fields.hpp>

namespace horae {

/// A cron expression in a time zone, e.g. `0 9 * * mon-fri` in
/// `Europe/Berlin`: nine o'clock local time on working days.
///
/// Time zones are IANA names (`UTC`, `America/New_York`) from the system's
/// time zone database. Daylight saving time follows one rule:
/// - a local time that does not exist (the clock springs forward over it)
///   matches once, at the first instant after the gap;
/// - a local time that occurs twice (the clock falls back) matches once, at
///   its first occurrence.
/// Matches that land on the same instant (several minutes of one gap) are
/// one match.
class cron_schedule {
public:
  // -- constants --------------------------------------------------------------

  /// Longest expression accepted.
  static constexpr size_t max_expression_length = 256;

  /// Longest time zone name accepted.
  static constexpr size_t max_time_zone_length = 128;

  // -- factories --------------------------------------------------------------

  /// Parses `expression` (see `parse_cron_fields`) and looks up `time_zone`.
  /// @returns the schedule, or `errc::invalid_argument` naming the bad
  ///          field and text, an unknown or empty time zone, or an
  ///          expression longer than `max_expression_length`.
  static caf::expected<cron_schedule> parse(std::string_view expression,
                                            std::string_view time_zone = "UTC");

  // -- observers --------------------------------------------------------------

  /// The expression as given.
  const std::string& expression() const noexcept {
    return expression_;
  }

  /// The time zone as given.
  const std::string& time_zone() const noexcept {
    return time_zone_;
  }

  /// The parsed fields.
  const cron_fields& fields() const noexcept {
    return fields_;
  }

  /// Finds the first matching minute strictly after `t`.
  /// @returns the wall-clock time of that minute (or of the end of a
  ///          daylight-saving gap it falls into), or `errc::out_of_range`
  ///          when the schedule has no match before the latest time a
  ///          reminder may have (1 January 2200) or `t` lies outside 1970
  ///          to 2200.
  caf::expected<clock::wall_time> next_after(clock::wall_time t) const;

private:
  cron_schedule() = default;

  cron_fields fields_;
  std::string expression_;
  std::string time_zone_;
};

/// Checks that `name` is a time zone `cron_schedule` can use.
/// @returns none or `errc::invalid_argument` naming the zone.
caf::error check_time_zone(std::string_view name);

} // namespace horae
