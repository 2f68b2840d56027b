// The versioned schema of the PostgreSQL store and its migrations.
#pragma once

#include <cstdint>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace horae::detail {

class pg_session;

/// @returns the newest schema version this build knows.
int latest_pg_schema_version() noexcept;

/// Brings the database up to the latest schema under an advisory lock, so
/// that processes starting together migrate one after the other.
/// @param writable false: migrate nothing, require the current schema.
/// @param must_exist refuse (`not_found`) a database without a store.
/// @returns `invalid_argument` for tables of another program,
///          `storage_corrupt` for a newer schema, or a storage error.
caf::error migrate_pg(pg_session& db, bool writable, bool must_exist);

/// Settles the store's partition count: fixed at the first writable open
/// (`wanted`, or `default_partitions` for 0) together with one lease row
/// per partition, and compared with `wanted` afterwards. A writable open
/// also gives rows written before partitions existed their partition.
/// @returns the count, or `invalid_argument` if `wanted` differs from it.
caf::expected<uint32_t> settle_partitions(pg_session& db, uint32_t wanted,
                                          bool writable);

} // namespace horae::detail
