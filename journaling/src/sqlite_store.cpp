// Opening a SQLite reminder store: options, connection settings, schema
// migration, then the store and its writer thread.
#include <cstring>
#include <filesystem>

#include <horae/core/error.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include "sqlite/connection.hpp"
#include "sqlite/row_codec.hpp"
#include "sqlite/salvage_scan.hpp"
#include "sqlite/schema.hpp"
#include "sqlite/sqlite_store_impl.hpp"
#include "sqlite/statements.hpp"

namespace horae {

namespace {

using detail::sqlite_connection;

/// Runs a PRAGMA that returns one value and returns it as text.
caf::expected<std::string> pragma(sqlite_connection& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt)
    return std::move(stmt.error());
  detail::statement_guard guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc == SQLITE_DONE)
    return std::string{};
  if (rc != SQLITE_ROW)
    return db.error(rc, sql);
  auto str = reinterpret_cast<const char*>(sqlite3_column_text(*stmt, 0));
  return std::string{str != nullptr ? str : ""};
}

caf::error configure_writer(sqlite_connection& db, bool writable) {
  if (writable) {
    // WAL: readers never block the writer, and a commit is one append plus
    // one fsync of the log (FULL), which is what group commit amortizes.
    auto mode = pragma(db, "PRAGMA journal_mode=WAL");
    if (!mode)
      return std::move(mode.error());
    if (*mode != "wal")
      return make_error(errc::storage_failure,
                        "sqlite database " + db.path()
                          + ": cannot enable WAL journaling (journal mode is "
                          + *mode + ")");
  }
  // A 16 MiB page cache (default 2 MiB) keeps the upper levels of the key
  // and due indexes resident once millions of rows are stored.
  for (auto sql : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=OFF",
                   "PRAGMA cache_size=-16384"})
    if (auto res = pragma(db, sql); !res)
      return std::move(res.error());
  return caf::none;
}

/// Marks a horae store in the database header ("hora"), so that a wrong
/// path is recognised before anything is written to it.
constexpr int64_t horae_application_id = 0x686f7261;

caf::expected<int64_t> count_of(sqlite_connection& db, const char* sql) {
  auto stmt = db.prepare(sql);
  if (!stmt)
    return std::move(stmt.error());
  detail::statement_guard guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc != SQLITE_ROW)
    return db.error(rc, sql);
  return sqlite3_column_int64(*stmt, 0);
}

/// Refuses another program's database before anything touches it (the WAL
/// switch and the migrations write to the file).
/// @returns whether the file is already marked as a horae store.
caf::expected<bool> check_identity(sqlite_connection& db, bool must_exist) {
  auto id = count_of(db, "PRAGMA application_id");
  if (!id)
    return std::move(id.error());
  if (*id == horae_application_id)
    return true;
  auto objects = count_of(db, "SELECT count(*) FROM sqlite_master");
  if (!objects)
    return std::move(objects.error());
  if (*id == 0 && *objects == 0) {
    if (must_exist)
      return make_error(errc::not_found, "sqlite database " + db.path()
                                           + " holds no horae reminder store");
    return false; // a new store
  }
  // Files written before the marker existed have horae's two tables.
  auto ours = count_of(db, "SELECT count(*) FROM sqlite_master WHERE type = "
                           "'table' AND name IN ('reminders', "
                           "'schema_version', 'store_meta')");
  if (!ours)
    return std::move(ours.error());
  if (*id == 0 && *ours == 3)
    return false;
  return make_error(errc::invalid_argument,
                    "sqlite database " + db.path()
                      + " is not a horae reminder store (application id "
                      + std::to_string(*id) + ", " + std::to_string(*objects)
                      + " schema objects); it is left unchanged - check "
                        "the path (horae.reminders.db or --db)");
}

caf::expected<uint64_t> load_last_revision(sqlite_connection& db) {
  auto stmt = db.prepare(detail::sql::select_last_revision);
  if (!stmt)
    return std::move(stmt.error());
  detail::statement_guard guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc == SQLITE_DONE)
    return make_error(errc::storage_corrupt,
                      "sqlite database " + db.path()
                        + ": store_meta has no last_revision row");
  if (rc != SQLITE_ROW)
    return db.error(rc, "reading the last revision");
  return static_cast<uint64_t>(sqlite3_column_int64(*stmt, 0));
}

/// Opens an existing horae store read-only for the tools (check, backup):
/// never creates a file, refuses another program's database.
caf::expected<std::unique_ptr<sqlite_connection>>
open_existing_read_only(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(errc::not_found, "no database at " + path);
  auto db = sqlite_connection::open(path, false, std::chrono::seconds{5});
  if (!db)
    return std::move(db.error());
  if (auto marked = check_identity(**db, true); !marked)
    return std::move(marked.error());
  return db;
}

} // namespace

caf::expected<sqlite_store_check> check_sqlite_store(const std::string& path) {
  auto db = open_existing_read_only(path);
  if (!db)
    return std::move(db.error());
  sqlite_store_check result;
  {
    auto stmt = (*db)->prepare("PRAGMA quick_check(100)");
    if (!stmt)
      return std::move(stmt.error());
    detail::statement_guard guard{*stmt};
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
      auto text = reinterpret_cast<const char*>(sqlite3_column_text(*stmt, 0));
      result.integrity.emplace_back(text != nullptr ? text : "");
    }
    if (rc != SQLITE_DONE)
      result.integrity.push_back(describe((*db)->error(rc, "quick_check")));
  }
  std::vector<detail::unreadable_range> skipped;
  auto err = detail::salvage_scan(
    **db,
    [&](sqlite3_stmt* stmt) {
      auto rec = detail::read_record(stmt, path);
      if (rec)
        ++result.readable_rows;
      else
        result.invalid_rows.emplace_back(detail::key_at(stmt),
                                         describe(rec.error()));
    },
    skipped);
  if (err)
    return err;
  for (auto& r : skipped)
    result.unreadable.emplace_back(r.first, r.last);
  return result;
}

caf::error backup_sqlite_store(const std::string& path,
                               const std::string& target) {
  if (target.empty())
    return make_error(errc::invalid_argument, "backup target path is empty");
  std::error_code ec;
  if (std::filesystem::exists(target, ec))
    return make_error(errc::already_exists,
                      "backup target " + target
                        + " already exists; name a new file");
  auto db = open_existing_read_only(path);
  if (!db)
    return std::move(db.error());
  // VACUUM INTO reads one consistent snapshot (committed writes of a live
  // store included, also those still in its log) into a compact new file.
  auto stmt = (*db)->prepare("VACUUM INTO ?1");
  if (!stmt)
    return std::move(stmt.error());
  detail::statement_guard guard{*stmt};
  sqlite3_bind_text64(*stmt, 1, target.data(), target.size(), SQLITE_STATIC,
                      SQLITE_UTF8);
  if (auto rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
    return (*db)->error(rc, ("writing a backup to " + target).c_str());
  return caf::none;
}

int sqlite_store_schema_version() noexcept {
  return detail::latest_schema_version();
}

caf::expected<std::unique_ptr<reminder_store>>
open_sqlite_store(sqlite_store_options opts) {
  if (opts.path.empty())
    return make_error(errc::invalid_argument,
                      "sqlite reminder store: path must not be empty");
  if (opts.max_batch == 0)
    return make_error(errc::invalid_argument,
                      "sqlite reminder store " + opts.path
                        + ": max_batch must be at least 1");
  if (opts.busy_timeout.count() < 0)
    return make_error(errc::invalid_argument,
                      "sqlite reminder store " + opts.path
                        + ": busy_timeout must not be negative");
  if (opts.time_source == nullptr) {
    static const system_clock default_clock;
    opts.time_source = &default_clock;
  }
  auto writable = !opts.read_only;
  auto writer = sqlite_connection::open(opts.path, writable, opts.busy_timeout);
  if (!writer)
    return std::move(writer.error());
  auto marked = check_identity(**writer, opts.must_exist || !writable);
  if (!marked)
    return std::move(marked.error());
  if (auto err = configure_writer(**writer, writable))
    return err;
  if (auto err = detail::migrate(**writer, writable))
    return err;
  if (writable && !*marked) {
    auto mark
      = "PRAGMA application_id = " + std::to_string(horae_application_id);
    if (auto err = (*writer)->exec_script(mark.c_str(), "marking the store"))
      return err;
  }
  auto last_revision = load_last_revision(**writer);
  if (!last_revision)
    return std::move(last_revision.error());
  // Reads get their own connection: in WAL mode it reads the last committed
  // snapshot while the writer holds its transaction open.
  auto reader = sqlite_connection::open(opts.path, false, opts.busy_timeout);
  if (!reader)
    return std::move(reader.error());
  auto store = std::make_unique<detail::sqlite_store>(
    std::move(opts), std::move(*writer), std::move(*reader), *last_revision);
  store->start();
  return std::unique_ptr<reminder_store>{std::move(store)};
}

} // namespace horae
