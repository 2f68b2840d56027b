// Conversion between reminder records and SQLite statement parameters and
// result rows (column order HORAE_REMINDER_COLUMNS in statements.hpp).
#pragma once

#include <cstdint>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/journaling/reminder_record.hpp>

#include <sqlite3.h>

namespace horae::detail {

/// @returns `t` as INTEGER nanoseconds since the epoch.
inline int64_t to_db(clock::wall_time t) noexcept {
  return t.time_since_epoch().count();
}

/// @returns `x` bit for bit: SQLite INTEGER is signed, our counters are not.
inline int64_t to_db(uint64_t x) noexcept {
  return static_cast<int64_t>(x);
}

/// Binds ?1 (actor type), ?2 (actor key) and ?3 (name).
int bind_key(sqlite3_stmt* stmt, const reminder_key& key);

/// Binds ?1 to ?21 in column order.
int bind_record(sqlite3_stmt* stmt, const reminder_record& rec);

/// Reads the key columns (0 to 2) of the current row; works on rows that
/// `read_record` rejects.
reminder_key key_at(sqlite3_stmt* stmt);

/// Reads the current row, starting at column 0.
/// @returns the record or `storage_corrupt` if the row holds values this
///          build cannot represent.
caf::expected<reminder_record> read_record(sqlite3_stmt* stmt,
                                           const std::string& path);

} // namespace horae::detail
