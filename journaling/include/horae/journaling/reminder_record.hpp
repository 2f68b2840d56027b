// One persisted reminder: its schedule, its progress and the bookkeeping the
// store adds (revision and timestamps).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>
#include <horae/journaling/failure_policy.hpp>
#include <horae/journaling/missed_tick_policy.hpp>
#include <horae/journaling/reminder_key.hpp>

namespace horae {

/// A reminder as the store keeps it. The schedule is either a grid, where
/// the n-th fire is due at `anchor + n * period` so that a reminder never
/// drifts however late its deliveries are, or a cron schedule (`cron` in
/// `time_zone`), where each fire is due at the next matching minute after
/// the previous one.
struct reminder_record {
  // -- identity and user data -------------------------------------------------

  /// Owner and name; the primary key.
  reminder_key key;

  /// Opaque bytes delivered with every fire. May be empty.
  std::vector<uint8_t> payload;

  // -- schedule ---------------------------------------------------------------

  /// Origin of the fire grid.
  clock::wall_time anchor;

  /// When the next fire is due.
  clock::wall_time due;

  /// Distance between grid points; zero for a one-shot reminder.
  clock::duration period{0};

  /// Cron expression (see `cron_schedule`); empty for a grid reminder.
  /// Excludes a period: a cron reminder has `period` zero.
  std::string cron;

  /// IANA time zone the cron expression is read in, such as `UTC` or
  /// `Europe/Berlin`; empty exactly when `cron` is.
  std::string time_zone;

  /// Fires after which the reminder is finished; zero for unlimited.
  uint64_t max_fires = 0;

  /// Deadline after which the reminder is finished; none for never.
  std::optional<clock::wall_time> expires;

  /// Fires delivered (and recorded) so far.
  uint64_t fire_count = 0;

  /// What happens to ticks missed during downtime.
  missed_tick_policy policy = missed_tick_policy::fire_once;

  /// Retries of a fire whose delivery failed; none for the reminder
  /// module's default (the `horae.reminders.failure` options).
  std::optional<failure_policy> on_failure;

  /// Fires given up after their retries (counted in `fire_count` too).
  uint64_t failed_fires = 0;

  // -- set by the store -------------------------------------------------------

  /// Store-wide increasing number assigned on every upsert. A fire is only
  /// recorded if the row still has the revision it was loaded with, so a
  /// fire of a replaced (or removed and re-created) reminder never clobbers
  /// the new one.
  uint64_t revision = 0;

  /// When the row was first inserted; kept across overwrites.
  clock::wall_time created;

  /// When the row was last written (upsert or recorded fire).
  clock::wall_time updated;
};

/// Latest due, anchor or expiry time a reminder may have (1 January 2200):
/// room for any schedule of up to 100 years, and far from the end of the
/// 64-bit nanosecond range, so no arithmetic on stored times can wrap.
constexpr clock::wall_time latest_reminder_time{
  std::chrono::seconds{7'258'118'400}};

/// Longest period a stored reminder may have (100 years).
constexpr clock::duration max_reminder_period
  = std::chrono::hours{24 * 365 * 100};

/// @relates reminder_record
bool operator==(const reminder_record& x, const reminder_record& y);

/// @relates reminder_record
inline bool operator!=(const reminder_record& x, const reminder_record& y) {
  return !(x == y);
}

/// Checks what a store requires of a record before writing it, and what a
/// row read back must satisfy: names within the limit, a period from zero to
/// `max_reminder_period`, times from the epoch to `latest_reminder_time`, a
/// known policy, a valid failure policy, a fire count not beyond
/// `max_fires`, and for a cron reminder an expression that parses, a known
/// time zone and no period.
/// @returns an `errc::invalid_argument` error naming the field, or none.
caf::error validate(const reminder_record& rec);

/// Checks the key part of `validate` alone, for removals and lookups.
caf::error validate(const reminder_key& key);

} // namespace horae
