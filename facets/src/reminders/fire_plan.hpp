// The pure scheduling rule of reminders: given a stored reminder and the
// current time, what to deliver and when the next tick is due.
#pragma once

#include <cstdint>
#include <optional>

#include <horae/core/clock.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae {

/// What to do with a due reminder.
struct fire_plan {
  /// Deliver a fire now; false for an expired reminder or a tick that the
  /// `skip` policy drops.
  bool deliver = false;
  /// Ticks folded into this fire (policy `fire_once`) or dropped (`skip`).
  uint64_t missed = 0;
  /// Delivered fires after this one.
  uint64_t fire_count = 0;
  /// The next due time; none when the reminder is finished and its row is
  /// deleted (one-shot, max fires reached, TTL passed, a cron schedule with
  /// no match before 2200).
  std::optional<clock::wall_time> next_due;
};

/// Plans the fire of `rec`, due at `rec.due`, handled at `now`.
///
/// Periodic reminders stay on the grid `anchor + n * period`:
/// - `fire_once` delivers one fire that counts the missed ticks, then
///   continues at the first grid point after `now`;
/// - `skip` drops a tick that is at least one period late and continues at
///   the first grid point after `now`;
/// - `catch_up` delivers every tick, one after the other.
/// A cron reminder (`rec.cron` set) follows the same policies with its
/// matching minutes as the ticks.
/// @pre `now >= rec.due`
fire_plan plan_fire(const reminder_record& rec, clock::wall_time now);

} // namespace horae
