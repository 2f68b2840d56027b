// The horae-reminders admin tool: table output, deletion and clear errors.
#include <fstream>
#include <sstream>

#include <horae/core/error.hpp>
#include <horae/core/version.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include "commands.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

/// Writes `rec` into the store at `path`, creating it if need be.
void put_record(const std::string& path, const reminder_record& rec) {
  sqlite_store_options opts;
  opts.path = path;
  auto store = open_sqlite_store(opts);
  ASSERT_TRUE(store);
  auto stored = (*store)->upsert(rec, true);
  ASSERT_TRUE(stored) << describe(stored.error());
  (*store)->close();
}

struct ReminderAdmin : ::testing::Test {
  test::temp_dir dir;
  std::string db = dir.file("admin.db");

  void SetUp() override {
    reminder_record rec;
    rec.key = {"invoice", "acme", "bill"};
    rec.due = rec.anchor = clock::wall_time{std::chrono::hours{24 * 365 * 56}};
    rec.period = 5s;
    rec.payload = {'h', 'i'};
    put_record(db, rec);
    rec.key = {"sla", "acme", "check"};
    rec.period = 0s;
    rec.max_fires = 1;
    put_record(db, rec);
  }

  int run(std::vector<std::string> args, std::string& out, std::string& err) {
    std::vector<char*> argv{const_cast<char*>("horae-reminders")};
    for (auto& a : args)
      argv.push_back(a.data());
    admin::invocation inv;
    auto problem
      = admin::parse(static_cast<int>(argv.size()), argv.data(), inv);
    if (!problem.empty()) {
      err = problem;
      return 2;
    }
    if (inv.command == "help") {
      out = inv.text;
      return 0;
    }
    std::ostringstream o;
    std::ostringstream e;
    auto rc = admin::run(inv, o, e);
    out = o.str();
    err = e.str();
    return rc;
  }
};

} // namespace

// list prints a header and one aligned row per reminder.
TEST_F(ReminderAdmin, ListPrintsTable) {
  std::string out, err;
  ASSERT_EQ(run({"list", "--db=" + db}, out, err), 0) << err;
  EXPECT_NE(out.find("TYPE     KEY   NAME"), std::string::npos) << out;
  EXPECT_NE(out.find("invoice  acme  bill"), std::string::npos) << out;
  EXPECT_NE(out.find("sla      acme  check"), std::string::npos) << out;
  EXPECT_NE(out.find("2 reminder(s)"), std::string::npos) << out;
}

// list filters by type.
TEST_F(ReminderAdmin, ListFiltersByType) {
  std::string out, err;
  ASSERT_EQ(run({"list", "sla", "--db=" + db}, out, err), 0) << err;
  EXPECT_EQ(out.find("invoice"), std::string::npos) << out;
  EXPECT_NE(out.find("1 reminder(s)"), std::string::npos) << out;
}

// The limit counts rows of the requested type, not rows of all types: with
// --limit=1, the first row overall (an invoice) must not hide the sla row.
TEST_F(ReminderAdmin, ListByTypeLimitCountsThatTypeOnly) {
  std::string out, err;
  ASSERT_EQ(run({"list", "sla", "--limit=1", "--db=" + db}, out, err), 0)
    << err;
  EXPECT_NE(out.find("sla   acme  check"), std::string::npos) << out;
  EXPECT_NE(out.find("1 reminder(s)"), std::string::npos) << out;
}

// show prints every field, the payload as text when printable.
TEST_F(ReminderAdmin, ShowPrintsFields) {
  std::string out, err;
  ASSERT_EQ(run({"show", "invoice", "acme", "bill", "--db=" + db}, out, err), 0)
    << err;
  EXPECT_NE(out.find("period     5s"), std::string::npos) << out;
  EXPECT_NE(out.find("payload    \"hi\""), std::string::npos) << out;
}

// delete removes the reminder; a second delete is a clear error.
TEST_F(ReminderAdmin, DeleteRemovesReminder) {
  std::string out, err;
  ASSERT_EQ(run({"delete", "invoice", "acme", "bill", "--db=" + db}, out, err),
            0)
    << err;
  EXPECT_NE(out.find("deleted invoice/acme/bill"), std::string::npos);
  EXPECT_EQ(run({"delete", "invoice", "acme", "bill", "--db=" + db}, out, err),
            1);
  EXPECT_NE(err.find("not_found"), std::string::npos) << err;
}

// Errors: missing database, unknown reminder, bad usage.
TEST_F(ReminderAdmin, ClearErrors) {
  std::string out, err;
  EXPECT_EQ(run({"list", "--db=" + dir.file("nope.db")}, out, err), 1);
  EXPECT_NE(err.find("no database at"), std::string::npos) << err;
  EXPECT_EQ(run({"show", "a", "b", "c", "--db=" + db}, out, err), 1);
  EXPECT_NE(err.find("no reminder a/b/c"), std::string::npos) << err;
  EXPECT_EQ(run({"frob", "--db=" + db}, out, err), 2);
  EXPECT_NE(err.find("unknown command 'frob'"), std::string::npos);
  EXPECT_EQ(run({"list"}, out, err), 2);
  EXPECT_NE(err.find("--db is required"), std::string::npos) << err;
  EXPECT_EQ(run({"show", "a", "--db=" + db}, out, err), 2);
  EXPECT_EQ(run({"list", "--limit=0", "--db=" + db}, out, err), 2);
}

// backup writes a consistent copy that opens as a store with every row; an
// existing target is refused.
TEST_F(ReminderAdmin, BackupWritesAnOpenableCopy) {
  std::string out;
  std::string err;
  auto target = dir.file("copy.db");
  ASSERT_EQ(run({"backup", "--db=" + db, target}, out, err), 0) << err;
  EXPECT_NE(out.find("backed up"), std::string::npos);
  ASSERT_EQ(run({"list", "--db=" + target}, out, err), 0) << err;
  EXPECT_NE(out.find("2 reminder(s)"), std::string::npos) << out;
  EXPECT_EQ(run({"backup", "--db=" + db, target}, out, err), 1);
  EXPECT_NE(err.find("already exists"), std::string::npos) << err;
  EXPECT_EQ(run({"backup", "--db=" + db}, out, err), 2);
}

// The tool never turns another program's database into a store.
TEST_F(ReminderAdmin, ForeignDatabaseIsRefused) {
  auto foreign = dir.file("foreign.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t (x)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  std::string out;
  std::string err;
  EXPECT_EQ(run({"delete", "--db=" + foreign, "a", "b", "c"}, out, err), 1);
  EXPECT_NE(err.find("not a horae reminder store"), std::string::npos) << err;
}

// Names with escape sequences and NUL bytes never reach the terminal raw,
// and the escaped form shown addresses the reminder.
TEST_F(ReminderAdmin, ControlBytesInNamesAreEscapedAndAddressable) {
  {
    sqlite_store_options opts;
    opts.path = db;
    auto store = open_sqlite_store(opts);
    ASSERT_TRUE(store);
    reminder_record rec;
    rec.key = {"invoice", "acme", std::string{"evil\x1b[2J\0x", 10}};
    rec.due = rec.anchor = clock::wall_time{std::chrono::hours{24 * 365 * 56}};
    ASSERT_TRUE((*store)->upsert(rec, true));
    (*store)->close();
  }
  std::string out;
  std::string err;
  ASSERT_EQ(run({"list", "--db=" + db}, out, err), 0) << err;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << "escape reached output";
  EXPECT_NE(out.find("evil\\x1b[2J\\x00x"), std::string::npos) << out;
  ASSERT_EQ(run({"show", "--db=" + db, "invoice", "acme", "evil\\x1b[2J\\x00x"},
                out, err),
            0)
    << err;
  ASSERT_EQ(
    run({"delete", "--db=" + db, "invoice", "acme", "evil\\x1b[2J\\x00x"}, out,
        err),
    0)
    << err;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

// check reports an intact store as such and exits 0.
TEST_F(ReminderAdmin, CheckReportsAnIntactStore) {
  std::string out;
  std::string err;
  ASSERT_EQ(run({"check", "--db=" + db}, out, err), 0) << err << out;
  EXPECT_NE(out.find("integrity: ok"), std::string::npos) << out;
  EXPECT_NE(out.find("2 readable reminder(s)"), std::string::npos) << out;
  EXPECT_EQ(run({"check", "--db=" + db, "extra"}, out, err), 2);
}

// Conventional command lines: `--db x` and `--db=x`, options before or
// after the command, --help for the tool and each command, --version.
TEST_F(ReminderAdmin, ConventionalCommandLines) {
  std::string out, err;
  ASSERT_EQ(run({"list", "--db", db}, out, err), 0) << err;
  EXPECT_NE(out.find("2 reminder(s)"), std::string::npos) << out;
  ASSERT_EQ(run({"--db", db, "list", "sla"}, out, err), 0) << err;
  EXPECT_NE(out.find("1 reminder(s)"), std::string::npos) << out;
  ASSERT_EQ(run({"--help"}, out, err), 0);
  for (auto* cmd : {"list", "show", "stats", "delete", "backup", "check",
                    "export", "import"})
    EXPECT_NE(out.find(cmd), std::string::npos) << cmd << " missing: " << out;
  ASSERT_EQ(run({"import", "--help"}, out, err), 0);
  EXPECT_NE(out.find("--keep-existing"), std::string::npos) << out;
  ASSERT_EQ(run({"--version"}, out, err), 0);
  EXPECT_NE(
    out.find(std::string{"horae-reminders (horae "} + horae::version + ")"),
    std::string::npos)
    << out;
  EXPECT_EQ(run({"list", "--db", db, "--format=yaml"}, out, err), 2);
  EXPECT_NE(err.find("yaml"), std::string::npos) << err;
}

// --format=json: list and show as JSON that parses, with every field.
TEST_F(ReminderAdmin, JsonOutput) {
  std::string out, err;
  ASSERT_EQ(run({"list", "--db=" + db, "--format=json"}, out, err), 0) << err;
  auto all = nlohmann::json::parse(out);
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["type"], "invoice");
  EXPECT_EQ(all[0]["period_ns"], 5'000'000'000LL);
  EXPECT_EQ(all[0]["payload_hex"], "6869");
  ASSERT_EQ(run({"show", "sla", "acme", "check", "--db=" + db, "--format=json"},
                out, err),
            0)
    << err;
  auto one = nlohmann::json::parse(out);
  EXPECT_EQ(one["name"], "check");
  EXPECT_EQ(one["max_fires"], 1);
}

// list --overdue shows what is due now or earlier (the fixture's reminders
// are due in December 2025, so they are overdue too); stats counts per type.
TEST_F(ReminderAdmin, OverdueAndStats) {
  {
    sqlite_store_options opts;
    opts.path = db;
    auto store = open_sqlite_store(opts);
    ASSERT_TRUE(store);
    auto now = std::chrono::time_point_cast<clock::duration>(
      std::chrono::system_clock::now());
    reminder_record late;
    late.key = {"invoice", "zeta", "late"};
    late.due = late.anchor = now - 1h;
    ASSERT_TRUE((*store)->upsert(late, true));
    reminder_record soon;
    soon.key = {"invoice", "zeta", "soon"};
    soon.due = soon.anchor = now + 1h;
    ASSERT_TRUE((*store)->upsert(soon, true));
    (*store)->close();
  }
  std::string out, err;
  ASSERT_EQ(run({"list", "--overdue", "--db=" + db}, out, err), 0) << err;
  EXPECT_NE(out.find("late"), std::string::npos) << out;
  EXPECT_EQ(out.find("soon"), std::string::npos) << "not overdue: " << out;
  EXPECT_NE(out.find("3 reminder(s)"), std::string::npos) << out;
  ASSERT_EQ(run({"list", "--overdue", "sla", "--db=" + db}, out, err), 0)
    << err;
  EXPECT_NE(out.find("1 reminder(s)"), std::string::npos) << out;
  ASSERT_EQ(run({"stats", "--db=" + db, "--format=json"}, out, err), 0) << err;
  auto s = nlohmann::json::parse(out);
  EXPECT_EQ(s["reminders"], 4);
  EXPECT_EQ(s["overdue"], 3);
  EXPECT_EQ(s["types"]["invoice"]["reminders"], 3);
  EXPECT_EQ(s["types"]["invoice"]["overdue"], 2);
  EXPECT_EQ(s["types"]["sla"]["overdue"], 1);
  ASSERT_EQ(run({"stats", "--db=" + db}, out, err), 0) << err;
  EXPECT_NE(out.find("(all)"), std::string::npos) << out;
}

// export then import into a fresh store keeps every field; a bad file
// changes nothing and names the entry.
TEST_F(ReminderAdmin, ExportImportRoundTrip) {
  std::string out, err;
  auto file = dir.file("all.json");
  ASSERT_EQ(run({"export", "--db=" + db, "--out=" + file}, out, err), 0) << err;
  EXPECT_NE(out.find("exported 2 reminder(s)"), std::string::npos) << out;
  auto fresh = dir.file("fresh.db");
  {
    sqlite_store_options opts;
    opts.path = fresh;
    auto store = open_sqlite_store(opts);
    ASSERT_TRUE(store);
    (*store)->close();
  }
  ASSERT_EQ(run({"import", file, "--db=" + fresh}, out, err), 0) << err;
  EXPECT_NE(out.find("imported 2 reminder(s)"), std::string::npos) << out;
  ASSERT_EQ(run({"import", file, "--keep-existing", "--db=" + fresh}, out, err),
            0)
    << err;
  EXPECT_NE(out.find("kept 2 existing"), std::string::npos) << out;
  sqlite_store_options opts;
  opts.path = fresh;
  opts.read_only = true;
  auto store = open_sqlite_store(opts);
  ASSERT_TRUE(store);
  auto bill = (*store)->get({"invoice", "acme", "bill"});
  ASSERT_TRUE(bill && *bill);
  EXPECT_EQ((*bill)->payload, (std::vector<uint8_t>{'h', 'i'}));
  EXPECT_EQ((*bill)->period, 5s);
  auto check = (*store)->get({"sla", "acme", "check"});
  ASSERT_TRUE(check && *check);
  EXPECT_EQ((*check)->max_fires, 1u);
  (*store)->close();
  auto bad = dir.file("bad.json");
  {
    std::ofstream f{bad};
    f << R"([{"type": "a", "key": "b"}])";
  }
  EXPECT_EQ(run({"import", bad, "--db=" + fresh}, out, err), 1);
  EXPECT_NE(err.find("entry 1: "), std::string::npos) << err;
  EXPECT_NE(err.find("missing field 'name'"), std::string::npos) << err;
}

namespace {

/// Adds a cron reminder invoice/acme/standup to the store at `db`.
void add_cron_reminder(const std::string& db) {
  reminder_record rec;
  rec.key = {"invoice", "acme", "standup"};
  rec.due = rec.anchor = clock::wall_time{std::chrono::hours{24 * 365 * 56}};
  rec.cron = "0 9 * * mon-fri";
  rec.time_zone = "Europe/Berlin";
  put_record(db, rec);
}

/// Creates an empty store at `path`.
void create_store(const std::string& path) {
  sqlite_store_options opts;
  opts.path = path;
  auto store = open_sqlite_store(opts);
  ASSERT_TRUE(store);
  (*store)->close();
}

/// Reads the reminder `key` from the store at `path`, read-only.
std::optional<reminder_record> stored_in(const std::string& path,
                                         const reminder_key& key) {
  sqlite_store_options opts;
  opts.path = path;
  opts.read_only = true;
  auto store = open_sqlite_store(opts);
  if (!store)
    return std::nullopt;
  auto rec = (*store)->get(key);
  (*store)->close();
  return rec ? *rec : std::nullopt;
}

} // namespace

// list and show name a cron reminder's expression and time zone; JSON
// carries both, empty for grid reminders.
TEST_F(ReminderAdmin, CronSchedulesAreShown) {
  add_cron_reminder(db);
  std::string out, err;
  ASSERT_EQ(run({"list", "--db=" + db}, out, err), 0) << err;
  EXPECT_NE(out.find("SCHEDULE"), std::string::npos) << out;
  EXPECT_NE(out.find("0 9 * * mon-fri (Europe/Berlin)"), std::string::npos)
    << out;
  ASSERT_EQ(run({"show", "invoice", "acme", "standup", "--db=" + db}, out, err),
            0)
    << err;
  EXPECT_NE(out.find("cron       0 9 * * mon-fri"), std::string::npos) << out;
  EXPECT_NE(out.find("time zone  Europe/Berlin"), std::string::npos) << out;
  ASSERT_EQ(run({"list", "--db=" + db, "--format=json"}, out, err), 0) << err;
  auto all = nlohmann::json::parse(out);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["cron"], "");
  EXPECT_EQ(all[1]["cron"], "0 9 * * mon-fri");
  EXPECT_EQ(all[1]["time_zone"], "Europe/Berlin");
}

// Export and import keep the schedule; an import with a bad schedule is
// refused before anything is written.
TEST_F(ReminderAdmin, CronSchedulesSurviveExportAndImport) {
  add_cron_reminder(db);
  std::string out, err;
  auto file = dir.file("all.json");
  ASSERT_EQ(run({"export", "--db=" + db, "--out=" + file}, out, err), 0) << err;
  auto fresh = dir.file("fresh.db");
  create_store(fresh);
  ASSERT_EQ(run({"import", file, "--db=" + fresh}, out, err), 0) << err;
  EXPECT_NE(out.find("imported 3 reminder(s)"), std::string::npos) << out;
  auto standup = stored_in(fresh, {"invoice", "acme", "standup"});
  ASSERT_TRUE(standup);
  EXPECT_EQ(standup->cron, "0 9 * * mon-fri");
  EXPECT_EQ(standup->time_zone, "Europe/Berlin");
  nlohmann::json all;
  {
    std::ifstream in{file};
    in >> all;
  }
  all[1]["time_zone"] = "Europe/Nowhere";
  auto bad = dir.file("bad.json");
  {
    std::ofstream f{bad};
    f << all.dump();
  }
  auto empty = dir.file("empty.db");
  create_store(empty);
  EXPECT_EQ(run({"import", bad, "--db=" + empty}, out, err), 1);
  EXPECT_NE(err.find("entry 2: "), std::string::npos) << err;
  EXPECT_NE(err.find("Europe/Nowhere"), std::string::npos) << err;
  EXPECT_FALSE(stored_in(empty, {"invoice", "acme", "bill"}))
    << "written before the bad entry";
}
