// A schema of its own on a PostgreSQL server, for tests that run against the
// PostgreSQL reminder store: every test sees an empty store, tests may run
// in parallel on one server, and the schema is dropped afterwards.
#pragma once

#include <optional>
#include <string>

namespace horae::testkit {

/// Where test runtimes keep reminders on PostgreSQL, from the environment
/// variable HORAE_TESTKIT_POSTGRES: a connection string or URI, or the path
/// of a file whose first line is one (as a test fixture writes it once the
/// server runs).
/// @returns the connection string, or none if the variable is unset.
/// @throws std::runtime_error if it names a file without a connection
///         string.
std::optional<std::string> postgres_from_environment();

/// Creates a schema named after the process and a counter on `server`;
/// drops it, with everything in it, when destroyed.
class scratch_schema {
public:
  /// @throws std::runtime_error naming the server (never its password) and
  ///         the reason if the schema cannot be created.
  explicit scratch_schema(std::string server);

  scratch_schema(const scratch_schema&) = delete;

  scratch_schema& operator=(const scratch_schema&) = delete;

  ~scratch_schema();

  /// @returns the schema's name.
  const std::string& name() const noexcept {
    return name_;
  }

  /// @returns the server's connection string with this schema first in
  ///          the search path, so a store opened with it lives here.
  std::string conninfo() const;

  /// Runs `sql` on `server` in a connection of its own.
  /// @returns the server's error message, or an empty string on success.
  static std::string run(const std::string& server, const std::string& sql);

private:
  std::string server_;
  std::string name_;
};

} // namespace horae::testkit
