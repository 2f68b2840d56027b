// Opening SQLite connections, caching statements and mapping result codes.
#include "sqlite/connection.hpp"

#include <horae/core/error.hpp>

#include <unistd.h>

namespace horae::detail {

// -- free functions -----------------------------------------------------------

caf::error sqlite_error(int rc, const std::string& path, const char* what,
                        const char* message) {
  auto primary = rc & 0xff;
  // A damaged file is not something a retry fixes; callers must be able to
  // tell it from transient failures such as a lock or a full disk.
  auto code = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB
                ? errc::storage_corrupt
                : errc::storage_failure;
  std::string ctx = "sqlite database ";
  ctx += path;
  ctx += ": ";
  ctx += what;
  ctx += " failed: ";
  std::string generic = sqlite3_errstr(rc);
  // SQLite reports a file that lost its write permission (or became
  // immutable) as a generic I/O error; say what the user can fix.
  if ((primary == SQLITE_READONLY || primary == SQLITE_IOERR
       || primary == SQLITE_CANTOPEN)
      && !path.empty() && ::access(path.c_str(), F_OK) == 0
      && ::access(path.c_str(), W_OK) != 0) {
    ctx += "the file is not writable (check its permissions and attributes; ";
    ctx += generic;
    ctx += ", code ";
  } else if (message != nullptr && generic != message) {
    ctx += message;
    ctx += " (";
    ctx += generic;
    ctx += ", code ";
  } else {
    ctx += generic;
    ctx += " (code ";
  }
  ctx += std::to_string(rc);
  ctx += ')';
  return make_error(code, std::move(ctx));
}

// -- constructors, destructors, and assignment operators ----------------------

sqlite_connection::sqlite_connection(sqlite3* db, std::string path)
  : db_(db), path_(std::move(path)) {
  // nop
}

sqlite_connection::~sqlite_connection() {
  for (auto& kvp : cache_)
    sqlite3_finalize(kvp.second);
  sqlite3_close_v2(db_);
}

caf::expected<std::unique_ptr<sqlite_connection>>
sqlite_connection::open(const std::string& path, bool writable,
                        std::chrono::milliseconds busy_timeout) {
  // NOMUTEX: every connection is confined to one thread at a time by the
  // store, so SQLite's own per-connection mutex would be pure overhead.
  int flags = SQLITE_OPEN_NOMUTEX
              | (writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                          : SQLITE_OPEN_READONLY);
  sqlite3* db = nullptr;
  auto rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    auto err = sqlite_error(rc, path, "open",
                            db != nullptr ? sqlite3_errmsg(db) : nullptr);
    sqlite3_close_v2(db);
    return err;
  }
  std::unique_ptr<sqlite_connection> result{new sqlite_connection(db, path)};
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // SQLite opens lazily: a garbage file only shows up at the first read of
  // the schema, so read it here and fail at open rather than on first use.
  rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr,
                    nullptr);
  if (rc != SQLITE_OK)
    return result->error(rc, "reading the schema");
  // SQLite silently downgrades to read-only when the file is write
  // protected; a writable store must say so at open, not at the first write.
  if (writable && sqlite3_db_readonly(db, "main") == 1)
    return sqlite_error(SQLITE_READONLY, path, "opening for writing",
                        "attempt to write a readonly database");
  return result;
}

// -- statements ---------------------------------------------------------------

caf::expected<sqlite3_stmt*> sqlite_connection::prepare(const char* sql) {
  auto i = cache_.find(sql);
  if (i != cache_.end())
    return i->second;
  sqlite3_stmt* stmt = nullptr;
  auto rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                               nullptr);
  if (rc != SQLITE_OK)
    return error(rc, sql);
  cache_.emplace(sql, stmt);
  return stmt;
}

caf::error sqlite_connection::run(const char* sql) {
  auto stmt = prepare(sql);
  if (!stmt)
    return std::move(stmt.error());
  statement_guard guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return error(rc, sql);
  return caf::none;
}

caf::error sqlite_connection::exec_script(const char* sql, const char* what) {
  char* msg = nullptr;
  auto rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  if (rc == SQLITE_OK)
    return caf::none;
  auto err = sqlite_error(rc, path_, what, msg);
  sqlite3_free(msg);
  return err;
}

void sqlite_connection::rollback() noexcept {
  if (in_transaction())
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

// -- errors -------------------------------------------------------------------

caf::error sqlite_connection::error(int rc, const char* what) const {
  return sqlite_error(rc, path_, what, sqlite3_errmsg(db_));
}

} // namespace horae::detail
