// The ordered list of PostgreSQL schema migrations and the code that
// applies them.
#include "postgres/pg_schema.hpp"

#include <cstdlib>
#include <iterator>
#include <string>

#include <horae/core/error.hpp>
#include <horae/journaling/partition.hpp>

#include "postgres/pg_session.hpp"

namespace horae::detail {

namespace {

struct migration {
  int version;
  const char* description;
  const char* script;
};

// Append only: a released migration never changes, since databases in the
// field already carry its result. Times are bigint nanoseconds since the
// epoch and counters are uint64 stored bit for bit, as in the SQLite store,
// so a record reads back exactly as written. Names are bytea: any bytes a
// user gives are kept, and they sort byte by byte in every database
// whatever its collation, as they do in SQLite.
constexpr migration migrations[] = {
  {1, "reminders table, (due, revision) index, revision sequence",
   "CREATE TABLE horae_meta ("
   "  key text PRIMARY KEY,"
   "  value text NOT NULL);"
   "INSERT INTO horae_meta (key, value) VALUES ('store', 'horae reminders');"
   "CREATE SEQUENCE horae_revision;"
   "CREATE TABLE horae_reminders ("
   "  actor_type bytea NOT NULL,"
   "  actor_key bytea NOT NULL,"
   "  name bytea NOT NULL,"
   "  payload bytea NOT NULL,"
   "  anchor bigint NOT NULL,"
   "  due bigint NOT NULL,"
   "  period bigint NOT NULL,"
   "  max_fires bigint NOT NULL,"
   "  expires bigint,"
   "  fire_count bigint NOT NULL,"
   "  policy smallint NOT NULL,"
   "  revision bigint NOT NULL,"
   "  created bigint NOT NULL,"
   "  updated bigint NOT NULL,"
   "  retry_limit bigint,"
   "  retry_delay bigint,"
   "  retry_max_delay bigint,"
   "  retry_then smallint,"
   "  failed_fires bigint NOT NULL DEFAULT 0,"
   "  PRIMARY KEY (actor_type, actor_key, name));"
   // The delivery path pages through the window by (due, revision).
   "CREATE INDEX horae_reminders_by_due_revision"
   "  ON horae_reminders (due, revision);"},
  {2, "partitions, nodes and partition leases for the cluster mode",
   // Rows written before this version get their partition at the next
   // writable open (-1 marks them), since the partition function lives in
   // the program, not in SQL.
   "ALTER TABLE horae_reminders ADD COLUMN partition int NOT NULL "
   "  DEFAULT -1;"
   "CREATE INDEX horae_reminders_by_partition"
   "  ON horae_reminders (partition, due, revision);"
   "CREATE TABLE horae_nodes ("
   "  node_id text PRIMARY KEY,"
   "  incarnation bigint NOT NULL,"
   "  endpoint text NOT NULL,"
   "  expires_at timestamptz NOT NULL,"
   "  draining boolean NOT NULL DEFAULT false);"
   // One row per partition (inserted once the count is known); the epoch
   // grows at every change of hands and fences every write of the owner.
   "CREATE TABLE horae_leases ("
   "  partition int PRIMARY KEY,"
   "  owner_node text,"
   "  owner_incarnation bigint,"
   "  epoch bigint NOT NULL DEFAULT 0,"
   "  expires_at timestamptz NOT NULL DEFAULT '-infinity');"},
  {3, "cron schedules with their time zones",
   // Empty for reminders on a period grid, as in the SQLite store.
   "ALTER TABLE horae_reminders ADD COLUMN cron text NOT NULL DEFAULT '';"
   "ALTER TABLE horae_reminders ADD COLUMN time_zone text NOT NULL "
   "  DEFAULT '';"},
};

/// Serializes migrations of all processes on one database ("horae" in
/// ASCII); held until the migrating transaction ends.
constexpr const char* lock_migrations
  = "SELECT pg_advisory_xact_lock(1752134245)";

caf::expected<std::string> single_value(pg_session& db, const char* sql,
                                        const char* what) {
  pg_params none;
  auto res = db.exec(sql, none, what);
  if (!res)
    return std::move(res.error());
  if (res->rows() == 0 || res->is_null(0, 0))
    return std::string{};
  return res->bytes_at(0, 0);
}

// Statements of the version check; text results are read as bytes.
constexpr const char* find_tables
  = "SELECT (to_regclass('horae_schema') IS NOT NULL)::int::text || "
    "(to_regclass('horae_reminders') IS NOT NULL)::int::text";

constexpr const char* read_version
  = "SELECT coalesce(max(version), 0)::text FROM horae_schema";

constexpr const char* read_marker
  = "SELECT value FROM horae_meta WHERE key = 'store'";

/// @returns the stored schema version (0 for none), or an error for a
///          database that holds another program's tables.
caf::expected<int> current_version(pg_session& db) {
  auto tables = single_value(db, find_tables, "looking for the store's tables");
  if (!tables)
    return std::move(tables.error());
  if (*tables == "00")
    return 0;
  if (*tables == "01")
    return make_error(errc::invalid_argument,
                      "postgresql store " + db.server()
                        + ": the database has a horae_reminders table but no "
                          "horae_schema table; it is not a horae reminder "
                          "store and is left unchanged");
  auto marker = single_value(db, read_marker, "reading the store marker");
  if (!marker || *marker != "horae reminders")
    return make_error(errc::invalid_argument,
                      "postgresql store " + db.server()
                        + ": the horae_schema table there does not belong to "
                          "a horae reminder store; it is left unchanged");
  auto version = single_value(db, read_version, "reading the schema version");
  if (!version)
    return std::move(version.error());
  return std::stoi(*version);
}

caf::error newer_than_supported(const pg_session& db, int version) {
  return make_error(errc::storage_corrupt,
                    "postgresql store " + db.server()
                      + ": database schema version " + std::to_string(version)
                      + " is newer than supported "
                      + std::to_string(latest_pg_schema_version())
                      + "; upgrade horae to open it");
}

caf::error apply_migrations(pg_session& db, int from) {
  if (from == 0)
    if (auto err = db.run("CREATE TABLE horae_schema ("
                          "  version int PRIMARY KEY,"
                          "  description text NOT NULL,"
                          "  applied timestamptz NOT NULL DEFAULT now())",
                          "creating the schema table"))
      return err;
  for (const auto& m : migrations) {
    if (m.version <= from)
      continue;
    if (auto err = db.run(m.script, m.description))
      return err;
    pg_params params;
    params.int8(m.version).text(m.description);
    auto res = db.exec("INSERT INTO horae_schema (version, description) "
                       "VALUES ($1::bigint::int, $2)",
                       params, "recording a schema version");
    if (!res)
      return std::move(res.error());
  }
  return caf::none;
}

} // namespace

int latest_pg_schema_version() noexcept {
  return std::prev(std::end(migrations))->version;
}

caf::error migrate_pg(pg_session& db, bool writable, bool must_exist) {
  auto version = current_version(db);
  if (!version)
    return std::move(version.error());
  if (*version > latest_pg_schema_version())
    return newer_than_supported(db, *version);
  if (*version == 0 && (must_exist || !writable))
    return make_error(errc::not_found, "postgresql store " + db.server()
                                         + " holds no horae reminder store");
  if (*version == latest_pg_schema_version())
    return caf::none;
  if (!writable)
    return make_error(errc::storage_failure,
                      "postgresql store " + db.server() + ": schema version "
                        + std::to_string(*version)
                        + " needs migrating, which a read-only store cannot "
                          "do; open it once with write access");
  if (auto err = db.run("BEGIN", "starting the migration"))
    return err;
  auto fail = [&db](caf::error err) {
    static_cast<void>(db.run("ROLLBACK", "rolling back the migration"));
    return err;
  };
  if (auto err = db.run(lock_migrations, "locking the migration"))
    return fail(err);
  // Another process may have migrated while we waited for the lock.
  version = current_version(db);
  if (!version)
    return fail(version.error());
  if (*version > latest_pg_schema_version())
    return fail(newer_than_supported(db, *version));
  if (auto err = apply_migrations(db, *version))
    return fail(err);
  return db.run("COMMIT", "committing the migration");
}

namespace {

constexpr const char* read_partitions
  = "SELECT value FROM horae_meta WHERE key = 'partitions'";

constexpr const char* fix_partitions
  = "INSERT INTO horae_meta (key, value) VALUES ('partitions', $1) "
    "ON CONFLICT (key) DO NOTHING";

constexpr const char* add_lease_rows
  = "INSERT INTO horae_leases (partition) "
    "SELECT generate_series(0, $1::bigint::int - 1) ON CONFLICT DO NOTHING";

constexpr const char* unpartitioned
  = "SELECT DISTINCT actor_type, actor_key FROM horae_reminders "
    "WHERE partition < 0 LIMIT 1000";

constexpr const char* set_partition
  = "UPDATE horae_reminders SET partition = $3::bigint::int "
    "WHERE actor_type = $1 AND actor_key = $2";

/// Gives rows from before version 2 their partition, a page at a time.
caf::error backfill_partitions(pg_session& db, uint32_t partitions) {
  for (;;) {
    pg_params none;
    auto rows = db.exec(unpartitioned, none, "finding rows without partition");
    if (!rows)
      return std::move(rows.error());
    if (rows->rows() == 0)
      return caf::none;
    for (int row = 0; row < rows->rows(); ++row) {
      auto type = rows->bytes_at(row, 0);
      auto key = rows->bytes_at(row, 1);
      pg_params params;
      params.bytes(type.data(), type.size())
        .bytes(key.data(), key.size())
        .int8(partition_of(type, key, partitions));
      if (auto res = db.exec(set_partition, params, "setting a partition");
          !res)
        return std::move(res.error());
    }
  }
}

} // namespace

caf::expected<uint32_t> settle_partitions(pg_session& db, uint32_t wanted,
                                          bool writable) {
  auto stored = single_value(db, read_partitions, "reading the partitions");
  if (!stored)
    return std::move(stored.error());
  if (stored->empty() && writable) {
    pg_params params;
    params.text(std::to_string(wanted == 0 ? default_partitions : wanted));
    if (auto res = db.exec(fix_partitions, params, "fixing the partitions");
        !res)
      return std::move(res.error());
    stored = single_value(db, read_partitions, "reading the partitions");
    if (!stored)
      return std::move(stored.error());
  }
  uint32_t count = default_partitions;
  if (!stored->empty()) {
    auto parsed = std::strtoul(stored->c_str(), nullptr, 10);
    if (parsed == 0 || parsed > max_partitions)
      return make_error(errc::storage_corrupt,
                        "postgresql store " + db.server()
                          + ": horae_meta says the store has '" + *stored
                          + "' partitions");
    count = static_cast<uint32_t>(parsed);
  }
  if (wanted != 0 && wanted != count)
    return make_error(errc::invalid_argument,
                      "postgresql store " + db.server() + " has "
                        + std::to_string(count)
                        + " partitions, fixed when it was created; the "
                          "configuration asks for "
                        + std::to_string(wanted));
  if (!writable)
    return count;
  pg_params params;
  params.int8(count);
  if (auto res = db.exec(add_lease_rows, params, "adding lease rows"); !res)
    return std::move(res.error());
  if (auto err = backfill_partitions(db, count))
    return err;
  return count;
}

} // namespace horae::detail
