// The tests' throwaway PostgreSQL server (started by the `postgres` CTest
// fixture, named by HORAE_TESTKIT_POSTGRES) and scratch schemas on it, so
// that every test sees an empty database and tests may run in parallel.
#pragma once

#include <stdexcept>
#include <string>

#include <horae/testkit/scratch_schema.hpp>

namespace horae::test {

/// @returns the connection string of the tests' server; throws with
///          instructions when the tests run outside ctest.
inline std::string postgres_server() {
  auto server = testkit::postgres_from_environment();
  if (!server)
    throw std::runtime_error(
      "HORAE_TESTKIT_POSTGRES is not set: run the PostgreSQL tests through "
      "ctest, whose `postgres` fixture starts a throwaway server");
  return *server;
}

/// Runs one SQL command on the tests' server (as its superuser).
/// @returns the error message, empty on success.
inline std::string postgres_admin(const std::string& sql) {
  return testkit::scratch_schema::run(postgres_server(), sql);
}

/// A scratch schema on the tests' server.
class postgres_schema : public testkit::scratch_schema {
public:
  postgres_schema() : scratch_schema(postgres_server()) {
    // nop
  }
};

} // namespace horae::test
