// Cron reminders in the SQLite store: the schedule and its time zone round
// trip, the store checks them, and files of schema version 3 (before cron
// schedules) are migrated keeping their rows as grid reminders.
#include <string>
#include <vector>

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

  /// Writes `rec` through a store that is closed again afterwards.
  void put(const reminder_record& rec) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    auto stored = store->upsert(rec, false);
    ASSERT_TRUE(stored) << describe(stored.error());
    store->close();
  }

  /// Runs `sql` on the file without the store, as an older build or a
  /// hand edit would.
  /// @returns the text of each column of the last row the statement gave.
  std::vector<std::string> run_sql(const std::string& sql) {
    std::vector<std::string> row;
    auto collect = [](void* out, int n, char** values, char**) {
      auto& result = *static_cast<std::vector<std::string>*>(out);
      result.clear();
      for (int i = 0; i < n; ++i)
        result.emplace_back(values[i] != nullptr ? values[i] : "NULL");
      return 0;
    };
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    char* msg = nullptr;
    auto rc = sqlite3_exec(db, sql.c_str(), collect, &row, &msg);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (msg != nullptr ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    return row;
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
  put(cron_record("r", "*/5 * * * *", "UTC"));
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto key = reminder_key{"account", "7", "r"};
  ASSERT_TRUE(store->upsert(make_record(clk, "7", "r"), true));
  auto loaded = store->get(key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ((*loaded)->cron, "");
  EXPECT_EQ((*loaded)->time_zone, "");
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
  EXPECT_TRUE(count && *count == 0u) << "a rejected record was written";
}

// A row whose schedule was edited into nonsense is reported as corrupt,
// not delivered on a guess.
TEST_F(CronStore, HandEditedScheduleIsCorrupt) {
  put(cron_record("r", "0 * * * *", "UTC"));
  run_sql("UPDATE reminders SET cron = '0 25 * * *'");
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto loaded = store->get(reminder_key{"account", "7", "r"});
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(has_code(loaded.error(), errc::storage_corrupt));
  EXPECT_NE(describe(loaded.error()).find("hour field '25'"), std::string::npos)
    << describe(loaded.error());
}

// A file of schema version 3 (before cron schedules) is migrated on open:
// its rows stay grid reminders, and cron reminders can be written next to
// them. The old file is today's with the new columns dropped, which is
// exactly the layout version 3 had.
TEST_F(CronStore, VersionThreeFileIsMigratedKeepingItsRows) {
  auto old_rec = make_record(clk, "1", "bill");
  old_rec.period = 1min;
  old_rec.fire_count = 2;
  old_rec.failed_fires = 1;
  put(old_rec);
  run_sql("ALTER TABLE reminders DROP COLUMN cron;"
          "ALTER TABLE reminders DROP COLUMN time_zone;"
          "UPDATE schema_version SET version = 3;");
  ASSERT_EQ(run_sql("SELECT count(*) FROM pragma_table_info('reminders') "
                    "WHERE name IN ('cron', 'time_zone')"),
            std::vector<std::string>{"0"});
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto old = store->get(reminder_key{"account", "1", "bill"});
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
  auto row = run_sql("SELECT (SELECT version FROM schema_version), "
                     "(SELECT cron || '|' || time_zone FROM reminders "
                     "WHERE name = 'new')");
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0], "4");
  EXPECT_EQ(sqlite_store_schema_version(), 4);
  EXPECT_EQ(row[1], "@hourly|Asia/Tokyo");
}
