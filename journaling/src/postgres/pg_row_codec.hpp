// Binding reminders as statement parameters and reading them back from
// binary-format result rows.
#pragma once

#include <string>

#include <caf/expected.hpp>

#include <horae/journaling/reminder_record.hpp>

#include "postgres/pg_params.hpp"
#include "postgres/pg_result.hpp"

namespace horae::detail {

/// Adds the key as parameters $1 to $3.
void bind_key(pg_params& params, const reminder_key& key);

/// Adds a record without its revision as parameters $1 to $20 (the column
/// order of `pg_sql::insert_record`).
void bind_record(pg_params& params, const reminder_record& rec);

/// @returns the key of row `row` (columns 0 to 2).
reminder_key key_at(const pg_result& res, int row);

/// Reads row `row` of a result in the store's column order.
/// @returns the record, or `storage_corrupt` naming the server, the key and
///          what is wrong with the row.
caf::expected<reminder_record> read_record(const pg_result& res, int row,
                                           const std::string& server);

} // namespace horae::detail
