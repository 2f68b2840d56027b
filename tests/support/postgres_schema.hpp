// A private schema on the tests' throwaway PostgreSQL server (started by the
// `postgres` CTest fixture), so that every test sees an empty database and
// tests may run in parallel.
#pragma once

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>
#include <unistd.h>

namespace horae::test {

/// @returns the connection string of the tests' server, read from the file
///          named by HORAE_TEST_POSTGRES; throws with instructions when the
///          tests run outside ctest.
inline std::string postgres_server() {
  auto file = std::getenv("HORAE_TEST_POSTGRES");
  if (file == nullptr)
    throw std::runtime_error(
      "HORAE_TEST_POSTGRES is not set: run the PostgreSQL tests through "
      "ctest, whose `postgres` fixture starts a throwaway server");
  std::ifstream in{file};
  std::string conninfo;
  if (!std::getline(in, conninfo) || conninfo.empty())
    throw std::runtime_error(std::string{"no server connection string in "}
                             + file + ": did the postgres.start test fail?");
  return conninfo;
}

/// Runs one SQL command on the tests' server (as its superuser).
/// @returns the error message, empty on success.
inline std::string postgres_admin(const std::string& sql) {
  auto conn = PQconnectdb(postgres_server().c_str());
  std::string err;
  if (PQstatus(conn) != CONNECTION_OK) {
    err = PQerrorMessage(conn);
  } else {
    auto res = PQexec(conn, sql.c_str());
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      err = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  return err;
}

/// Creates a schema named after the process and a counter, and drops it
/// with everything in it at the end of its life.
class postgres_schema {
public:
  postgres_schema() {
    static std::atomic<int> counter{0};
    name_ = "horae_test_" + std::to_string(::getpid()) + "_"
            + std::to_string(++counter);
    if (auto err = postgres_admin("CREATE SCHEMA " + name_); !err.empty())
      throw std::runtime_error("creating test schema " + name_ + ": " + err);
  }

  postgres_schema(const postgres_schema&) = delete;

  postgres_schema& operator=(const postgres_schema&) = delete;

  ~postgres_schema() {
    postgres_admin("SET client_min_messages = warning; DROP SCHEMA IF EXISTS "
                   + name_ + " CASCADE");
  }

  const std::string& name() const noexcept {
    return name_;
  }

  /// @returns a connection string whose tables live in this schema.
  std::string conninfo() const {
    return postgres_server() + " options='-c search_path=" + name_ + "'";
  }

private:
  std::string name_;
};

} // namespace horae::test
