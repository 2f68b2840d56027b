// The embedded SQLite implementation of reminder_store: WAL, synchronous
// FULL, one writer thread doing group commit, a separate read connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/journaling/defaults.hpp>
#include <horae/journaling/reminder_store.hpp>

namespace horae {

/// Settings of `open_sqlite_store`.
struct sqlite_store_options {
  /// Database file; created (with its schema) if missing and writable.
  std::string path;

  /// How long a write waits for another connection's lock before the batch
  /// fails with `storage_failure` ("database is locked").
  std::chrono::milliseconds busy_timeout = defaults::sqlite::busy_timeout;

  /// Most write requests committed in one transaction.
  size_t max_batch = defaults::sqlite::max_batch;

  /// Opens without write access, e.g. for an admin tool listing reminders.
  /// The schema must already be current; writes fail with
  /// `storage_failure`.
  bool read_only = false;

  /// Refuses (`not_found`) to create a store in a missing or empty file,
  /// e.g. for an admin tool given a wrong path. A read-only store never
  /// creates one either.
  bool must_exist = false;

  /// Source of the `created` and `updated` timestamps; the system clock if
  /// null. Must outlive the store.
  const clock* time_source = nullptr;

  /// Told once per row that cannot be a reminder (a hand edit left a
  /// non-integer time, a time outside 1970 to 2200, a period over 100
  /// years, ...). Such rows are skipped by `due_after`, `list` and
  /// `list_all`, so the others are still delivered; `get` reports them as
  /// `storage_corrupt`. Runs on the reading thread, under the reader lock.
  std::function<void(const reminder_key&, const caf::error&)> on_invalid_row;

  /// Told once when `due_after` meets a damaged page: from then on it reads
  /// the table without its index and steps over unreadable pages, so every
  /// reminder SQLite can still read is delivered. Receives the error and how
  /// many unreadable ranges were skipped. Runs under the reader lock.
  std::function<void(const caf::error&, size_t)> on_damage;
  /// Called on the writer thread after each batch of writes: how many
  /// requests it held and how long it took up to the end of its COMMIT;
  /// for metrics. Must be cheap and thread-safe.
  std::function<void(size_t, clock::duration)> on_commit;
};

/// What `check_sqlite_store` found in a store file.
struct sqlite_store_check {
  /// The lines of SQLite's `PRAGMA quick_check` ("ok" for an intact file).
  std::vector<std::string> integrity;
  /// Reminders a full scan could read.
  uint64_t readable_rows = 0;
  /// Rows that cannot be a reminder, with the reason.
  std::vector<std::pair<reminder_key, std::string>> invalid_rows;
  /// Rowid ranges (bounds included) that could not be read at all.
  std::vector<std::pair<int64_t, int64_t>> unreadable;

  /// @returns whether anything is wrong.
  bool damaged() const noexcept {
    return !(integrity.size() == 1 && integrity.front() == "ok")
           || !invalid_rows.empty() || !unreadable.empty();
  }
};

/// Checks the store at `path` read-only: SQLite's structural check, then a
/// scan of every row that skips unreadable pages.
/// @returns the findings, or an error if the file cannot be opened at all or
///          is no horae store.
caf::expected<sqlite_store_check> check_sqlite_store(const std::string& path);

/// Writes a consistent copy of the live store at `path` to the new file
/// `target` (SQLite's `VACUUM INTO`); safe while a runtime writes to it.
/// @returns `already_exists` if `target` exists, `not_found` or
///          `invalid_argument` if `path` is no horae store, or a storage
///          error naming the path.
caf::error backup_sqlite_store(const std::string& path,
                               const std::string& target);

/// The version of the newest schema this build knows; `open_sqlite_store`
/// migrates older files up to it.
int sqlite_store_schema_version() noexcept;

/// Opens (creating or migrating if needed) a SQLite reminder store.
/// @returns the store, or `invalid_argument` (bad options),
///          `storage_corrupt` (not a SQLite file, damaged, or a schema newer
///          than this build) or `storage_failure` (cannot open, read-only
///          file, locked during migration). Each error names the path.
caf::expected<std::unique_ptr<reminder_store>>
open_sqlite_store(sqlite_store_options opts);

} // namespace horae
