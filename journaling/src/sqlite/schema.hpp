// Versioned schema migrations of the SQLite reminder store.
#pragma once

#include <caf/error.hpp>

namespace horae::detail {

class sqlite_connection;

/// @returns the newest schema version this build knows.
int latest_schema_version() noexcept;

/// Brings the database up to `latest_schema_version()`, one transaction per
/// migration, so that an interrupted upgrade leaves a consistent older
/// version behind. A read-only connection is only checked, never migrated.
/// @returns `storage_corrupt` if the file's version is newer than this
///          build, or the error of the failing migration.
caf::error migrate(sqlite_connection& db, bool writable);

} // namespace horae::detail
