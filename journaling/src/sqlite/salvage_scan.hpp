// Reading what can still be read of a damaged reminders table: rows in rowid
// order, stepping over pages SQLite reports as corrupt.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <caf/error.hpp>

#include "sqlite/connection.hpp"

namespace horae::detail {

/// Rowids a salvage scan could not read (bounds included; the last bound
/// is where reading resumed, so the range may hold no row at all).
struct unreadable_range {
  int64_t first;
  int64_t last;
};

/// Calls `row` for every readable row of the reminders table, in rowid
/// order, with a statement whose columns are those of `read_record`. When
/// SQLite reports corruption, the scan skips ahead from the last good rowid
/// by growing steps until it can read again, and notes the gap in
/// `skipped`. @returns an error other than corruption (I/O, closed).
caf::error salvage_scan(sqlite_connection& db,
                        const std::function<void(sqlite3_stmt*)>& row,
                        std::vector<unreadable_range>& skipped);

} // namespace horae::detail
