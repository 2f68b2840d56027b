// Where a reminder's schedule puts its ticks around a fire, for a grid and a
// cron schedule alike, so that the missed-tick policies are written once.
#pragma once

#include <cstdint>
#include <optional>

#include <horae/core/clock.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae::detail {

/// The ticks of a periodic reminder around a fire due at `rec.due`.
struct schedule_ticks {
  /// Ticks after `rec.due` that are due by now (at most
  /// `max_counted_ticks` for a cron schedule).
  uint64_t behind = 0;
  /// The tick after `rec.due`; none when the schedule has no more.
  std::optional<clock::wall_time> after_due;
  /// The first tick after now; none when the schedule has no more.
  std::optional<clock::wall_time> after_now;
};

/// Most missed ticks of a cron schedule counted one by one: a long downtime
/// under `* * * * *` must not stall the dispatcher for the count alone.
constexpr uint64_t max_counted_ticks = 10'000;

/// Computes the ticks of a grid reminder (`period` > 0).
/// @pre `now >= rec.due`
schedule_ticks grid_ticks(const reminder_record& rec, clock::wall_time now);

/// Computes the ticks of a cron reminder; counts `behind` only if
/// `count_behind`. A stored schedule that no longer parses (a time zone
/// gone from the system) has no further ticks.
/// @pre `now >= rec.due`
schedule_ticks cron_ticks(const reminder_record& rec, clock::wall_time now,
                          bool count_behind);

} // namespace horae::detail
