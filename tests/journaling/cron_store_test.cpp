// Cron reminders in the SQLite store: the schedule and its time zone round
// trip, the store checks them, and files of schema version 3 (before cron
// schedules) are migrated keeping their rows as grid reminders.
#include <string>

#include <horae/journaling/sqlite_store.hpp>

#include "journaling/store_fixture.hpp"
#include <sqlite3.h>

using namespace std::chrono_literals;
using namespace horae;
using horae::test::has_code;
using horae::test::make_record;

namespace {

class CronStore : public horae::test::store_test {
protected:
  reminder_record cron_record(std::string name, std::string expr,
                              std::string zone) {
    auto rec = make_record(clk, "7", std::move(name));
    rec.period = 0ns;
    rec.cron = std::move(expr);
    rec.time_zone = std::move(zone);
    return rec;
  }

  /// Runs `sql` on the file without the store, as an older build or a
  /// hand edit would.
  void run_sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    auto rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (msg != nullptr ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
  }
};

} // namespace

// Expression and zone come back exactly as written, and take part in
// equality.
TEST_F(CronStore, RoundTripsTheScheduleAndItsZone) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rec = cron_record("standup", "0 9 * * mon-fri", "Europe/Berlin");
  rec.max_fires = 10;
  rec.policy = missed_tick_policy::catch_up;
  auto stored = store->upsert(rec, false);
  ASSERT_TRUE(stored) << describe(stored.error());
  EXPECT_EQ(stored->cron, "0 9 * * mon-fri");
  EXPECT_EQ(stored->time_zone, "Europe/Berlin");
  auto loaded = store->get(rec.key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, *stored);
  auto other_zone = *stored;
  other_zone.time_zone = "America/New_York";
  EXPECT_NE(other_zone, *stored);
  auto other_expr = *stored;
  other_expr.cron = "0 10 * * mon-fri";
  EXPECT_NE(other_expr, *stored);
}

// Replacing a cron reminder with a grid reminder clears the schedule.
TEST_F(CronStore, OverwriteWithAGridReminderClearsTheSchedule) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->upsert(cron_record("r", "*/5 * * * *", "UTC"), false));
  auto grid = make_record(clk, "7", "r");
  auto stored = store->upsert(grid, true);
  ASSERT_TRUE(stored) << describe(stored.error());
  auto loaded = store->get(grid.key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_TRUE((*loaded)->cron.empty());
  EXPECT_TRUE((*loaded)->time_zone.empty());
  EXPECT_EQ((*loaded)->period, 30s);
}

// The store refuses schedules it could not deliver, naming the problem.
TEST_F(CronStore, RejectsBadSchedules) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto expect_rejected = [&](reminder_record rec, const std::string& words) {
    auto res = store->upsert(rec, true);
    ASSERT_FALSE(res) << rec.cron << " / " << rec.time_zone;
    EXPECT_TRUE(has_code(res.error(), errc::invalid_argument));
    EXPECT_NE(describe(res.error()).find(words), std::string::npos)
      << describe(res.error());
  };
  expect_rejected(cron_record("a", "61 * * * *", "UTC"), "minute field '61'");
  expect_rejected(cron_record("b", "* * * * *", "Nowhere/City"),
                  "time zone 'Nowhere/City'");
  expect_rejected(cron_record("c", "* * * * *", ""), "time zone ''");
  auto with_period = cron_record("d", "* * * * *", "UTC");
  with_period.period = 1min;
  expect_rejected(with_period, "a cron reminder has no period");
  auto zone_only = make_record(clk, "7", "e");
  zone_only.time_zone = "UTC";
  expect_rejected(zone_only, "time zone without a cron expression");
  auto count = store->count();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 0u);
}

// A row whose schedule was edited into nonsense is reported as corrupt,
// not delivered on a guess.
TEST_F(CronStore, HandEditedScheduleIsCorrupt) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->upsert(cron_record("r", "0 * * * *", "UTC"), false));
    store->close();
  }
  run_sql("UPDATE reminders SET cron = '0 25 * * *'");
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto loaded = store->get(reminder_key{"account", "7", "r"});
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_code(loaded.error(), errc::storage_corrupt));
  EXPECT_NE(describe(loaded.error()).find("hour field '25'"), std::string::npos)
    << describe(loaded.error());
}

// A file written by schema version 3 is migrated on open: its rows stay
// grid reminders, and cron reminders can be written next to them.
TEST_F(CronStore, VersionThreeFileIsMigratedKeepingItsRows) {
  auto due = std::to_string((clk.wall_now() + 1min).time_since_epoch().count());
  run_sql("CREATE TABLE schema_version (version INTEGER NOT NULL);"
          "INSERT INTO schema_version VALUES (3);"
          "CREATE TABLE reminders (actor_type TEXT NOT NULL,"
          " actor_key TEXT NOT NULL, name TEXT NOT NULL,"
          " payload BLOB NOT NULL, anchor INTEGER NOT NULL,"
          " due INTEGER NOT NULL, period INTEGER NOT NULL,"
          " max_fires INTEGER NOT NULL, expires INTEGER,"
          " fire_count INTEGER NOT NULL, policy INTEGER NOT NULL,"
          " revision INTEGER NOT NULL, created INTEGER NOT NULL,"
          " updated INTEGER NOT NULL, retry_limit INTEGER,"
          " retry_delay INTEGER, retry_max_delay INTEGER, retry_then INTEGER,"
          " failed_fires INTEGER NOT NULL DEFAULT 0,"
          " PRIMARY KEY (actor_type, actor_key, name));"
          "CREATE INDEX reminders_by_due_revision ON reminders (due, revision);"
          "CREATE TABLE store_meta (key TEXT PRIMARY KEY NOT NULL,"
          " value INTEGER NOT NULL);"
          "INSERT INTO store_meta VALUES ('last_revision', 1);"
          "INSERT INTO reminders VALUES ('billing', '1', 'bill', x'01', "
          + due + ", " + due
          + ", 60000000000, 0, NULL, 2, 0, 1, 0, 0, NULL, NULL, NULL, NULL, "
            "1)");
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto old = store->get(reminder_key{"billing", "1", "bill"});
  ASSERT_TRUE(old && old->has_value())
    << (old ? "missing" : describe(old.error()));
  EXPECT_TRUE((*old)->cron.empty());
  EXPECT_TRUE((*old)->time_zone.empty());
  EXPECT_EQ((*old)->period, 1min);
  EXPECT_EQ((*old)->fire_count, 2u);
  EXPECT_EQ((*old)->failed_fires, 1u);
  auto rec = cron_record("new", "@hourly", "Asia/Tokyo");
  auto stored = store->upsert(rec, false);
  ASSERT_TRUE(stored) << describe(stored.error());
  store->close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT (SELECT version FROM schema_version), "
                               "(SELECT cron || '|' || time_zone FROM "
                               "reminders WHERE name = 'new')",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), sqlite_store_schema_version());
  EXPECT_EQ(sqlite_store_schema_version(), 4);
  EXPECT_EQ(
    std::string{reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))},
    "@hourly|Asia/Tokyo");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}
