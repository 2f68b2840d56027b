// The PostgreSQL side of reminder_store_bench: a durable throwaway server,
// a schema per measurement, and the one-transaction-per-row baseline
// written with libpq directly.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <horae/core/clock.hpp>

#include <libpq-fe.h>

namespace {

[[noreturn]] void pg_die(const std::string& what) {
  std::fprintf(stderr, "reminder_store_bench: %s\n", what.c_str());
  std::exit(1);
}

/// Runs SQL on `conninfo`; @returns the first value of the first row.
std::string pg_exec(const std::string& conninfo, const std::string& sql) {
  auto conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK)
    pg_die(std::string{"connecting: "} + PQerrorMessage(conn));
  auto res = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    pg_die(sql + ": " + PQresultErrorMessage(res));
  std::string value
    = PQntuples(res) > 0 && PQnfields(res) > 0 ? PQgetvalue(res, 0, 0) : "";
  PQclear(res);
  PQfinish(conn);
  return value;
}

std::string server_setting(const std::string& conninfo, const char* name) {
  return pg_exec(conninfo, std::string{"SHOW "} + name);
}

/// A server started for the benchmark with durable settings (fsync and
/// synchronous commit on, as in production), stopped at the end.
class postgres_server {
public:
  explicit postgres_server(std::string state) : state_(std::move(state)) {
    run("start");
    std::ifstream in{state_ + "/conninfo"};
    std::getline(in, conninfo_);
  }

  ~postgres_server() {
    run("stop");
  }

  const std::string& conninfo() const {
    return conninfo_;
  }

private:
  void run(const char* action) {
    auto cmd = std::string{"HORAE_PG_DURABLE=1 "} + HORAE_PG_THROWAWAY + " "
               + action + " " + state_;
    if (std::system(cmd.c_str()) != 0)
      pg_die(cmd + " failed");
  }

  std::string state_;
  std::string conninfo_;
};

/// One transaction per row (autocommit INSERTs, prepared once) on the
/// store's own schema. @returns rows per second.
double postgres_baseline(const std::string& conninfo, size_t rows,
                         horae::clock::wall_time base) {
  auto conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK)
    pg_die(std::string{"connecting: "} + PQerrorMessage(conn));
  auto prepared = PQprepare(
    conn, "insert",
    "INSERT INTO horae_reminders (actor_type, actor_key, name, payload, "
    "anchor, due, period, max_fires, expires, fire_count, policy, revision, "
    "created, updated) VALUES (convert_to($1, 'UTF8'), convert_to($2, "
    "'UTF8'), 'r', $3::bytea, $4::bigint, $4::bigint, $5::bigint, 0, NULL, "
    "0, 0, nextval('horae_revision'), $4::bigint, $4::bigint)",
    0, nullptr);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK)
    pg_die(std::string{"prepare: "} + PQresultErrorMessage(prepared));
  PQclear(prepared);
  auto due
    = std::to_string((base + std::chrono::hours{1}).time_since_epoch().count());
  auto period
    = std::to_string(std::chrono::nanoseconds{std::chrono::hours{1}}.count());
  std::string payload = "\\x" + std::string(64, '7');
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < rows; ++i) {
    auto key = std::to_string(i);
    const char* values[]
      = {"account", key.c_str(), payload.c_str(), due.c_str(), period.c_str()};
    auto res = PQexecPrepared(conn, "insert", 5, values, nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
      pg_die(std::string{"insert: "} + PQresultErrorMessage(res));
    PQclear(res);
  }
  auto elapsed
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
        .count();
  PQfinish(conn);
  return static_cast<double>(rows) / elapsed;
}

} // namespace
