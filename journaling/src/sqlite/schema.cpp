// The ordered list of schema migrations and the code that applies them.
#include "sqlite/schema.hpp"

#include <iterator>
#include <string>

#include <horae/core/error.hpp>

#include "sqlite/connection.hpp"

namespace horae::detail {

namespace {

// -- migrations ---------------------------------------------------------------

struct migration {
  int version;
  const char* description;
  const char* script;
};

// Append only: a released migration never changes, since files in the field
// already carry its result. Times are INTEGER nanoseconds since the epoch;
// uint64 counters are stored bit-for-bit in SQLite's signed INTEGER.
constexpr migration migrations[] = {
  {1, "reminders table, index on due, store metadata",
   "CREATE TABLE reminders ("
   "  actor_type TEXT NOT NULL,"
   "  actor_key TEXT NOT NULL,"
   "  name TEXT NOT NULL,"
   "  payload BLOB NOT NULL,"
   "  anchor INTEGER NOT NULL,"
   "  due INTEGER NOT NULL,"
   "  period INTEGER NOT NULL,"
   "  max_fires INTEGER NOT NULL,"
   "  expires INTEGER,"
   "  fire_count INTEGER NOT NULL,"
   "  policy INTEGER NOT NULL,"
   "  revision INTEGER NOT NULL,"
   "  created INTEGER NOT NULL,"
   "  updated INTEGER NOT NULL,"
   "  PRIMARY KEY (actor_type, actor_key, name));"
   // The delivery path only ever asks for the next window by due time.
   "CREATE INDEX reminders_by_due ON reminders (due);"
   "CREATE TABLE store_meta ("
   "  key TEXT PRIMARY KEY NOT NULL,"
   "  value INTEGER NOT NULL);"
   "INSERT INTO store_meta (key, value) VALUES ('last_revision', 0);"},
  {2, "index on (due, revision) for paging through the window",
   // The delivery path pages through the window by (due, revision)
   // position; with the revision in the index, a page starts right at its
   // position even when thousands of reminders share one due time, and
   // needs no sort. Revisions grow, so rows sharing a due time append.
   "CREATE INDEX reminders_by_due_revision ON reminders (due, revision);"
   "DROP INDEX reminders_by_due;"},
  {3, "failure policy and failed fire count per reminder",
   // NULL retry columns: the reminder follows the module's default policy,
   // so rows written before this version keep doing what they did.
   "ALTER TABLE reminders ADD COLUMN retry_limit INTEGER;"
   "ALTER TABLE reminders ADD COLUMN retry_delay INTEGER;"
   "ALTER TABLE reminders ADD COLUMN retry_max_delay INTEGER;"
   "ALTER TABLE reminders ADD COLUMN retry_then INTEGER;"
   "ALTER TABLE reminders ADD COLUMN failed_fires INTEGER NOT NULL "
   "DEFAULT 0;"},
  {4, "cron schedule and its time zone per reminder",
   // Empty text: a grid reminder, which every row before this version is.
   // Plain text, so that any SQL store can hold the same columns.
   "ALTER TABLE reminders ADD COLUMN cron TEXT NOT NULL DEFAULT '';"
   "ALTER TABLE reminders ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';"},
};

// -- helpers ------------------------------------------------------------------

caf::error newer_than_supported(const sqlite_connection& db, int version) {
  return make_error(
    errc::storage_corrupt,
    "sqlite database " + db.path() + ": database schema version "
      + std::to_string(version) + " is newer than supported "
      + std::to_string(latest_schema_version()) + "; upgrade horae to open it");
}

/// Reads the version inside the caller's transaction (or snapshot).
caf::expected<int> read_version(sqlite_connection& db) {
  auto stmt = db.prepare("SELECT max(version) FROM schema_version");
  if (!stmt)
    return std::move(stmt.error());
  statement_guard guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc != SQLITE_ROW)
    return db.error(rc, "reading the schema version");
  return sqlite3_column_int(*stmt, 0); // NULL (empty table) reads as 0
}

caf::expected<bool> has_version_table(sqlite_connection& db) {
  auto stmt = db.prepare("SELECT count(*) FROM sqlite_master WHERE "
                         "type = 'table' AND name = 'schema_version'");
  if (!stmt)
    return std::move(stmt.error());
  statement_guard guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc != SQLITE_ROW)
    return db.error(rc, "looking up the schema version table");
  return sqlite3_column_int(*stmt, 0) > 0;
}

/// Applies `m` unless another process did so first.
caf::error apply(sqlite_connection& db, const migration& m) {
  // IMMEDIATE takes the write lock up front, so two processes opening an old
  // file at once serialize here instead of both migrating.
  if (auto err = db.run("BEGIN IMMEDIATE"))
    return err;
  auto fail = [&](caf::error err) {
    db.rollback();
    return err;
  };
  auto version = read_version(db);
  if (!version)
    return fail(std::move(version.error()));
  if (*version > latest_schema_version())
    return fail(newer_than_supported(db, *version));
  if (*version < m.version) {
    std::string what = "migration to schema version "
                       + std::to_string(m.version) + " (" + m.description + ")";
    if (auto err = db.exec_script(m.script, what.c_str()))
      return fail(std::move(err));
    auto stmt = db.prepare("UPDATE schema_version SET version = ?1");
    if (!stmt)
      return fail(std::move(stmt.error()));
    statement_guard guard{*stmt};
    sqlite3_bind_int(*stmt, 1, m.version);
    auto rc = sqlite3_step(*stmt);
    if (rc != SQLITE_DONE)
      return fail(db.error(rc, "recording the schema version"));
  }
  if (auto err = db.run("COMMIT"))
    return fail(std::move(err));
  return caf::none;
}

} // namespace

int latest_schema_version() noexcept {
  return std::prev(std::end(migrations))->version;
}

caf::error migrate(sqlite_connection& db, bool writable) {
  // Fast path without the write lock: a current file is the common case,
  // and a reader must not wait for another process's writer at open.
  auto exists = has_version_table(db);
  if (!exists)
    return std::move(exists.error());
  int version = 0;
  if (*exists) {
    auto v = read_version(db);
    if (!v)
      return std::move(v.error());
    version = *v;
  }
  if (version > latest_schema_version())
    return newer_than_supported(db, version);
  if (version == latest_schema_version())
    return caf::none;
  if (!writable)
    return make_error(errc::storage_failure,
                      "sqlite database " + db.path() + ": schema version "
                        + std::to_string(version) + " is older than "
                        + std::to_string(latest_schema_version())
                        + " and a read-only store cannot migrate it; open "
                          "it writable once");
  // Creating the version table is itself versionless and idempotent; the
  // single row starts at 0, the version of an empty file.
  if (auto err = db.exec_script(
        "BEGIN IMMEDIATE;"
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
        "INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS "
        "(SELECT 1 FROM schema_version);"
        "COMMIT;",
        "creating the schema version table")) {
    db.rollback();
    return err;
  }
  for (const auto& m : migrations)
    if (auto err = apply(db, m))
      return err;
  return caf::none;
}

} // namespace horae::detail
