// The search for the next matching minute on the local calendar, before any
// time zone is applied.
#pragma once

#include <chrono>
#include <optional>

#include <horae/journaling/cron_fields.hpp>

namespace horae::detail {

/// Minutes since 1970-01-01T00:00 of some local calendar.
using local_minute = std::chrono::minutes;

/// Finds the first minute at or after `from` and before `limit` that
/// `fields` allows. Skips months and days that cannot match whole, so a
/// search across years costs a few thousand bit tests.
/// @returns the minute, or none if no minute in `[from, limit)` matches.
std::optional<local_minute> first_match(const cron_fields& fields,
                                        local_minute from, local_minute limit);

} // namespace horae::detail
