// A SQLite connection with a cache of persistent prepared statements and
// the translation of SQLite result codes into horae errors.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <sqlite3.h>

namespace horae::detail {

/// Owns one `sqlite3*`. Not thread-safe: each connection is used by one
/// thread at a time (the writer thread, or readers under a mutex).
class sqlite_connection {
public:
  // -- constructors, destructors, and assignment operators --------------------

  sqlite_connection(const sqlite_connection&) = delete;

  sqlite_connection& operator=(const sqlite_connection&) = delete;

  ~sqlite_connection();

  /// Opens `path` and checks that it is a readable SQLite database.
  /// @param writable whether to open read-write (creating the file).
  static caf::expected<std::unique_ptr<sqlite_connection>>
  open(const std::string& path, bool writable,
       std::chrono::milliseconds busy_timeout);

  // -- observers --------------------------------------------------------------

  sqlite3* handle() const noexcept {
    return db_;
  }

  const std::string& path() const noexcept {
    return path_;
  }

  /// @returns whether a transaction is open; SQLite rolls back on its own
  ///          after some errors, and then this turns false.
  bool in_transaction() const noexcept {
    return sqlite3_get_autocommit(db_) == 0;
  }

  // -- statements -------------------------------------------------------------

  /// @returns the cached statement for `sql`, preparing it on first use.
  /// @pre `sql` is a string literal: the cache is keyed by its address.
  caf::expected<sqlite3_stmt*> prepare(const char* sql);

  /// Runs a statement that returns no rows, using the statement cache.
  caf::error run(const char* sql);

  /// Runs one or more statements without caching, e.g. a migration script.
  caf::error exec_script(const char* sql, const char* what);

  /// Rolls back the open transaction, if any, ignoring errors: it runs only
  /// on paths that already report an error.
  void rollback() noexcept;

  // -- errors -----------------------------------------------------------------

  /// Builds a `storage_failure` or `storage_corrupt` error for result code
  /// `rc`, naming the database path, the operation and SQLite's message.
  caf::error error(int rc, const char* what) const;

private:
  sqlite_connection(sqlite3* db, std::string path);

  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

/// Builds the error for `rc` on `path` without a live connection.
caf::error sqlite_error(int rc, const std::string& path, const char* what,
                        const char* message);

/// Resets a cached statement and clears its bindings when leaving a scope,
/// so the next user starts clean and no read transaction stays open.
class statement_guard {
public:
  explicit statement_guard(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {
    // nop
  }

  statement_guard(const statement_guard&) = delete;

  statement_guard& operator=(const statement_guard&) = delete;

  ~statement_guard() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

private:
  sqlite3_stmt* stmt_;
};

} // namespace horae::detail
