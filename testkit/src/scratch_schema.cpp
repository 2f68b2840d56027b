// Creating and dropping scratch schemas with libpq.
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <horae/journaling/postgres_store.hpp>
#include <horae/testkit/scratch_schema.hpp>

#include <libpq-fe.h>
#include <unistd.h>

namespace horae::testkit {

std::optional<std::string> postgres_from_environment() {
  auto value = std::getenv("HORAE_TESTKIT_POSTGRES");
  if (value == nullptr || *value == '\0')
    return std::nullopt;
  std::string str = value;
  if (is_postgres_target(str))
    return str;
  std::ifstream in{str};
  std::string line;
  if (!std::getline(in, line) || line.empty())
    throw std::runtime_error("HORAE_TESTKIT_POSTGRES names " + str
                             + ", which holds no connection string (did "
                               "the server fail to start?)");
  return line;
}

std::string scratch_schema::run(const std::string& server,
                                const std::string& sql) {
  auto conn = PQconnectdb(server.c_str());
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

scratch_schema::scratch_schema(std::string server)
  : server_(std::move(server)) {
  static std::atomic<int> counter{0};
  name_ = "horae_test_" + std::to_string(::getpid()) + "_"
          + std::to_string(++counter);
  if (auto err = run(server_, "CREATE SCHEMA " + name_); !err.empty())
    throw std::runtime_error("testkit: creating schema " + name_ + " on "
                             + describe_postgres_target(server_) + ": " + err);
}

scratch_schema::~scratch_schema() {
  // Quietly: the drop cascades to every table, which the server would
  // otherwise announce one notice at a time.
  run(server_, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS "
                 + name_ + " CASCADE");
}

std::string scratch_schema::conninfo() const {
  return server_ + " options='-c search_path=" + name_ + "'";
}

} // namespace horae::testkit
