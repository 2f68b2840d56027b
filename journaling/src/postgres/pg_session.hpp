// One libpq connection that knows how to come back: it reconnects with a
// doubling pause after the server went away, prepares statements once per
// connection, bounds every wait for the server, and turns libpq failures
// into horae errors that name the server but never the password.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/journaling/postgres_store.hpp>

#include "postgres/pg_params.hpp"
#include "postgres/pg_result.hpp"
#include <libpq-fe.h>

namespace horae::detail {

/// Not thread-safe: each session is used by one thread at a time (the
/// writer thread, or readers under a mutex).
class pg_session {
public:
  // -- constructors, destructors, and assignment operators --------------------

  /// Stores the settings; connects on first use or on `connect`.
  explicit pg_session(const postgres_store_options& opts);

  pg_session(const pg_session&) = delete;

  pg_session& operator=(const pg_session&) = delete;

  ~pg_session();

  // -- connection -------------------------------------------------------------

  /// Makes sure a connection is up: reconnects if it was lost, unless the
  /// pause after the previous failed attempt has not passed yet, in which
  /// case it fails at once with that attempt's error.
  caf::error ensure_connected();

  /// Connects, retrying refused connections for up to `wait`; fails at once
  /// on errors a retry cannot fix (credentials, missing database).
  caf::error connect_waiting(std::chrono::milliseconds wait);

  /// Drops the connection (after a failure that leaves it in doubt).
  void disconnect() noexcept;

  /// @returns whether a connection is up, as far as libpq knows.
  bool connected() const noexcept;

  /// @returns the server as messages name it (no password).
  const std::string& server() const noexcept {
    return server_;
  }

  /// @returns the libpq handle; null while disconnected.
  PGconn* handle() const noexcept {
    return conn_;
  }

  // -- statements -------------------------------------------------------------

  /// Prepares `sql` on this connection unless it already is.
  /// @pre `sql` is a string literal: the cache is keyed by its address.
  caf::error prepare(const char* sql, const pg_params& shape);

  /// @returns the name `sql` was prepared under.
  const std::string& prepared_name(const char* sql) const {
    return prepared_.at(sql);
  }

  /// Runs one statement (prepared on first use) and waits for its result.
  caf::expected<pg_result> exec(const char* sql, const pg_params& params,
                                const char* what);

  /// Runs statements without parameters (text protocol), e.g. a migration
  /// script or a transaction command.
  caf::error run(const char* sql, const char* what);

  /// Waits until libpq can return the next result without blocking, at
  /// most the statement timeout plus a grace period; a server that stays
  /// silent longer is taken as gone and the connection is dropped.
  caf::error await_input(const char* what);

  // -- errors -----------------------------------------------------------------

  /// @returns the error for `res` (null: the connection's own message),
  ///          classified: a damaged table is `storage_corrupt`, everything
  ///          else `storage_failure`, with the SQLSTATE and server message.
  caf::error error(const PGresult* res, const char* what) const;

  /// @returns an error naming the server, for failures found by the store.
  caf::error failure(const std::string& what) const;

  /// @returns whether the last wait for the server ran out of time (the
  ///          connection was then dropped): repeating the request at once
  ///          would only wait as long again.
  bool timed_out() const noexcept {
    return timed_out_;
  }

private:
  /// Reads every result of the query just sent.
  /// @returns its first data result, or its first error.
  caf::expected<pg_result> collect(const char* what);

  /// One attempt to connect and set up the session.
  caf::error connect_once(bool& permanent);

  /// A copy: the session may outlive the options it was made from.
  postgres_store_options opts_;
  std::string server_;
  PGconn* conn_ = nullptr;

  /// Statement text (by address) to its prepared name on this connection.
  std::unordered_map<const char*, std::string> prepared_;

  /// Reconnection backoff: no attempt before `retry_at_`; the pause doubles
  /// after each failed attempt and resets after a successful one.
  std::chrono::steady_clock::time_point retry_at_;
  std::chrono::milliseconds pause_;
  caf::error last_connect_error_;

  /// Set when `await_input` gave up on a silent server.
  bool timed_out_ = false;
};

} // namespace horae::detail
