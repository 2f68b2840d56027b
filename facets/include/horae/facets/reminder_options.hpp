// Options of ReminderFacet::upsert beyond name, due time and period.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <horae/core/clock.hpp>
#include <horae/journaling/failure_policy.hpp>
#include <horae/journaling/missed_tick_policy.hpp>

namespace horae {

/// How a reminder behaves beyond its schedule.
struct reminder_options {
  /// Bytes handed back in every `reminder_fired`.
  std::vector<uint8_t> payload;
  /// Deliver at most this many fires, then delete the reminder; 0 means no
  /// limit, 1 makes a one-shot.
  uint64_t max_fires = 0;
  /// Delete the reminder this long after registration, fired or not.
  std::optional<clock::duration> ttl;
  /// What to do with ticks missed during downtime.
  missed_tick_policy policy = missed_tick_policy::fire_once;
  /// If false, registering an existing name fails with `already_exists`.
  bool overwrite = true;
  /// Retries of a fire whose delivery failed; none follows the module's
  /// default (the `horae.reminders.failure` options). Stored with the
  /// reminder.
  std::optional<failure_policy> on_failure;
};

} // namespace horae
