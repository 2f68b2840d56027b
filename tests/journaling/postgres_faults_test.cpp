// Faults of the PostgreSQL store: a server that is not there, wrong
// credentials, a connection killed inside a batch, a statement timeout, a
// server restarted or frozen under a running store. Each gives a clear
// error, nothing unacknowledged is reported as written, and the store
// carries on once the fault clears.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "journaling/store_fixture.hpp"
#include <libpq-fe.h>

using namespace std::chrono_literals;
using namespace horae;
using horae::test::gate;
using horae::test::has_code;
using horae::test::make_record;
using horae::test::postgres_admin;
using horae::test::postgres_schema;

namespace {

/// Runs the throwaway-server script with `args`; @returns its output.
std::string throwaway(const std::string& args) {
  std::string cmd = std::string{HORAE_PG_THROWAWAY} + " " + args;
  std::string out;
  if (auto pipe = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (auto n = std::fread(buf, 1, sizeof(buf), pipe))
      out.append(buf, n);
    if (::pclose(pipe) != 0)
      ADD_FAILURE() << cmd << " failed: " << out;
  }
  return out;
}

class PostgresFaults : public horae::test::store_test {
protected:
  /// Settings of a store in this test's schema, tagged with an application
  /// name so that the test can find (and kill) its sessions.
  postgres_store_options pg_options() const {
    postgres_store_options opts;
    opts.conninfo = schema.conninfo() + " application_name=" + schema.name();
    opts.time_source = &clk;
    opts.reconnect_delay = 10ms;
    opts.max_reconnect_delay = 50ms;
    return opts;
  }

  std::unique_ptr<reminder_store> open_pg(postgres_store_options opts) {
    auto res = open_postgres_store(std::move(opts));
    if (!res) {
      ADD_FAILURE() << "open failed: " << describe(res.error());
      return nullptr;
    }
    return std::move(*res);
  }

  /// Opens an admin session that holds the reminders table, so that a
  /// batch stops inside its transaction; `PQfinish` it to release.
  PGconn* lock_table() {
    auto locker = PQconnectdb(horae::test::postgres_server().c_str());
    EXPECT_EQ(PQstatus(locker), CONNECTION_OK);
    auto lock = "BEGIN; LOCK TABLE " + schema.name()
                + ".horae_reminders IN ACCESS EXCLUSIVE MODE";
    PQclear(PQexec(locker, lock.c_str()));
    return locker;
  }

  /// Ends every session of this test's stores on the server.
  void kill_sessions() {
    auto err
      = postgres_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE application_name = '"
                       + schema.name() + "'");
    ASSERT_TRUE(err.empty()) << err;
  }

  postgres_schema schema;
};

// Opening against a port where nothing listens retries for the start-up
// wait, then fails naming the server, without its password.
TEST_F(PostgresFaults, ServerNotRunningAtStartIsAClearError) {
  postgres_store_options opts;
  opts.conninfo = "postgresql://horae:s3cret@127.0.0.1:1/reminders";
  opts.startup_wait = 300ms;
  opts.reconnect_delay = 50ms;
  auto started = std::chrono::steady_clock::now();
  auto res = open_postgres_store(opts);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(res);
  auto msg = describe(res.error());
  EXPECT_TRUE(has_code(res.error(), errc::storage_failure)) << msg;
  EXPECT_NE(msg.find("postgresql://horae@127.0.0.1:1/reminders"),
            std::string::npos)
    << msg;
  EXPECT_NE(msg.find("connecting failed"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
  EXPECT_GE(took, 250ms) << "gave up before the start-up wait";
}

// Wrong credentials cannot be fixed by waiting: the open fails at once,
// with the server's reason and without the password.
TEST_F(PostgresFaults, AuthenticationFailureFailsAtOnce) {
  ASSERT_EQ(postgres_admin("DROP ROLE IF EXISTS horae_auth_test; CREATE ROLE "
                           "horae_auth_test LOGIN PASSWORD 'right'"),
            "");
  auto opts = pg_options();
  opts.conninfo = schema.conninfo() + " user=horae_auth_test password=wrong";
  opts.startup_wait = 30s;
  auto started = std::chrono::steady_clock::now();
  auto res = open_postgres_store(opts);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(res);
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("password authentication failed"), std::string::npos)
    << msg;
  EXPECT_EQ(msg.find("wrong"), std::string::npos) << msg;
  EXPECT_LT(took, 10s) << "waited for credentials to change";
}

// A database that holds another program's reminders table is refused and
// left alone; a connection string that does not parse is a bad argument.
TEST_F(PostgresFaults, ForeignTablesAndBadConnectionStringsAreRefused) {
  ASSERT_EQ(postgres_admin("CREATE TABLE " + schema.name()
                           + ".horae_reminders (id int)"),
            "");
  auto res = open_postgres_store(pg_options());
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::invalid_argument))
    << describe(res.error());
  auto opts = pg_options();
  opts.conninfo = "host=127.0.0.1 port";
  auto bad = open_postgres_store(opts);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(has_code(bad.error(), errc::invalid_argument))
    << describe(bad.error());
}

// A schema version newer than this build is refused, not downgraded.
TEST_F(PostgresFaults, NewerSchemaVersionIsRefused) {
  { ASSERT_NE(open_pg(pg_options()), nullptr); }
  ASSERT_EQ(postgres_admin("INSERT INTO " + schema.name()
                           + ".horae_schema (version, description) VALUES "
                             "(99, 'from the future')"),
            "");
  auto res = open_postgres_store(pg_options());
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_corrupt))
    << describe(res.error());
  EXPECT_NE(describe(res.error()).find("newer than supported"),
            std::string::npos);
}

// The writer's session is killed while its transaction waits for a lock:
// every request of that batch fails (nothing of it is committed), and the
// next write succeeds on a new connection.
TEST_F(PostgresFaults, ConnectionKilledMidBatchFailsTheBatchThenReconnects) {
  auto store = open_pg(pg_options());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->upsert(make_record(clk, "0", "before"), false));
  // An admin transaction holds the table, so the batch stops inside its
  // transaction until its session is killed.
  auto locker = lock_table();
  constexpr int n = 20;
  std::atomic<int> failed{0};
  std::atomic<int> done{0};
  std::string first_error; // written by the first completion only
  for (int i = 0; i < n; ++i)
    store->upsert_async(make_record(clk, "1", std::to_string(i)), false,
                        [&, i](caf::expected<reminder_record> res) {
                          if (!res
                              && has_code(res.error(), errc::storage_failure))
                            ++failed;
                          if (!res && i == 0)
                            first_error = describe(res.error());
                          ++done;
                        });
  // Wait until the batch waits for the lock, then kill it. The activity
  // view is a snapshot per transaction, so each probe clears it first.
  bool waiting = false;
  for (int tries = 0; tries < 1000 && !waiting; ++tries) {
    auto probe
      = PQexec(locker, ("SELECT pg_stat_clear_snapshot(); SELECT count(*) "
                        "FROM pg_stat_activity WHERE wait_event_type = "
                        "'Lock' AND application_name = '"
                        + schema.name() + "'")
                         .c_str());
    waiting = PQresultStatus(probe) == PGRES_TUPLES_OK
              && std::string{PQgetvalue(probe, 0, 0)} != "0";
    PQclear(probe);
    if (!waiting)
      std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(waiting) << "the batch never reached the lock";
  kill_sessions();
  while (done.load() < n)
    std::this_thread::sleep_for(5ms);
  PQfinish(locker);
  EXPECT_EQ(failed.load(), n) << "a request of the killed batch succeeded";
  EXPECT_EQ(first_error.find("statement timeout"), std::string::npos)
    << "the batch ended by its timeout, not by the kill: " << first_error;
  auto after = store->upsert(make_record(clk, "2", "after"), false);
  ASSERT_TRUE(after) << describe(after.error());
  auto count = store->count();
  ASSERT_TRUE(count) << describe(count.error());
  EXPECT_EQ(*count, 2u) << "a failed write was committed anyway";
}

// A statement that runs into the statement timeout fails its batch with an
// error that says so; the store goes on.
TEST_F(PostgresFaults, StatementTimeoutFailsTheBatchAndTheStoreGoesOn) {
  auto opts = pg_options();
  opts.statement_timeout = 200ms;
  auto store = open_pg(opts);
  ASSERT_NE(store, nullptr);
  auto locker = lock_table();
  auto res = store->upsert(make_record(clk, "1", "r"), false);
  PQfinish(locker);
  ASSERT_FALSE(res);
  EXPECT_NE(describe(res.error()).find("statement timeout"), std::string::npos)
    << describe(res.error());
  auto again = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(again) << describe(again.error());
}

/// A server of its own, for faults that would disturb other tests.
class PostgresOwnServerFaults : public PostgresFaults {
protected:
  void SetUp() override {
    throwaway("start " + state);
  }

  void TearDown() override {
    throwaway("stop " + state);
  }

  std::string own_conninfo() {
    std::ifstream in{state + "/conninfo"};
    std::string line;
    std::getline(in, line);
    return line;
  }

  std::string state = dir.file("own-server");
};

// The server restarts under a running store: writes and reads carry on
// (a write that meets the dead connection before its transaction began is
// sent again on a new one); while it is down, writes fail with a clear
// error; every acknowledged write is there afterwards.
TEST_F(PostgresOwnServerFaults, ServerRestartAndOutageUnderARunningStore) {
  auto opts = pg_options();
  opts.conninfo = own_conninfo();
  auto store = open_pg(opts);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->upsert(make_record(clk, "1", "before"), false));
  throwaway("halt " + state);
  throwaway("resume " + state);
  auto after_restart = store->upsert(make_record(clk, "1", "restart"), false);
  EXPECT_TRUE(after_restart) << describe(after_restart.error());
  auto read = store->list("account", "1");
  EXPECT_TRUE(read) << describe(read.error());
  throwaway("halt " + state);
  auto down = store->upsert(make_record(clk, "1", "down"), false);
  ASSERT_FALSE(down);
  EXPECT_TRUE(has_code(down.error(), errc::storage_failure));
  EXPECT_NE(describe(down.error()).find("127.0.0.1"), std::string::npos)
    << describe(down.error());
  throwaway("resume " + state);
  caf::expected<reminder_record> up = down.error();
  for (int tries = 0; tries < 200 && !up; ++tries) {
    std::this_thread::sleep_for(20ms); // past the reconnection pause
    up = store->upsert(make_record(clk, "1", "up"), false);
  }
  ASSERT_TRUE(up) << describe(up.error());
  auto rows = store->list("account", "1");
  ASSERT_TRUE(rows) << describe(rows.error());
  std::vector<std::string> names;
  for (auto& rec : *rows)
    names.push_back(rec.key.name);
  EXPECT_EQ(names, (std::vector<std::string>{"before", "restart", "up"}));
}

// A frozen server (processes stopped, sockets still open) never answers:
// the write fails after the statement timeout and a grace period instead
// of hanging, and the store recovers once the server runs again.
TEST_F(PostgresOwnServerFaults, FrozenServerFailsTheWriteInsteadOfHanging) {
  auto opts = pg_options();
  opts.conninfo = own_conninfo();
  opts.statement_timeout = 300ms;
  auto store = open_pg(opts);
  ASSERT_NE(store, nullptr);
  std::vector<pid_t> pids;
  std::istringstream in{throwaway("pids " + state)};
  for (pid_t pid; in >> pid;)
    pids.push_back(pid);
  ASSERT_FALSE(pids.empty());
  for (auto pid : pids)
    ::kill(pid, SIGSTOP);
  auto started = std::chrono::steady_clock::now();
  auto frozen = store->upsert(make_record(clk, "1", "frozen"), false);
  auto took = std::chrono::steady_clock::now() - started;
  for (auto pid : pids)
    ::kill(pid, SIGCONT);
  ASSERT_FALSE(frozen);
  EXPECT_NE(describe(frozen.error()).find("did not answer"), std::string::npos)
    << describe(frozen.error());
  EXPECT_LT(took, 30s);
  caf::expected<reminder_record> thawed = frozen.error();
  for (int tries = 0; tries < 200 && !thawed; ++tries) {
    std::this_thread::sleep_for(20ms);
    thawed = store->upsert(make_record(clk, "1", "thawed"), false);
  }
  ASSERT_TRUE(thawed) << describe(thawed.error());
}

} // namespace
