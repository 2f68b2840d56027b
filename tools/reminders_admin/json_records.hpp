// Reminders as JSON: the admin tool's `--format=json` output and the file
// format of `export` and `import`, which keeps every field exactly (times
// as nanoseconds since the epoch, the payload as hex).
#pragma once

#include <caf/expected.hpp>

#include <horae/journaling/reminder_record.hpp>

#include <nlohmann/json.hpp>

namespace horae::admin {

/// @returns every field of `rec`, with readable UTC times beside the exact
///          ones.
nlohmann::json to_json(const reminder_record& rec);

/// Reads a record written by `to_json`.
/// @returns `invalid_argument` naming the first missing or ill-typed field.
caf::expected<reminder_record> record_from_json(const nlohmann::json& x);

/// @returns `t` as ISO 8601 UTC with milliseconds, e.g.
///          "2026-11-30T06:00:00.000Z".
std::string format_time(clock::wall_time t);

} // namespace horae::admin
