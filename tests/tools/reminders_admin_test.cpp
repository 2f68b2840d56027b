// The horae-reminders admin tool: table output, deletion and clear errors.
#include <sstream>

#include <horae/journaling/sqlite_store.hpp>

#include "commands.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sqlite3.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

struct ReminderAdmin : ::testing::Test {
  test::temp_dir dir;
  std::string db = dir.file("admin.db");

  void SetUp() override {
    sqlite_store_options opts;
    opts.path = db;
    auto store = open_sqlite_store(opts);
    ASSERT_TRUE(store);
    reminder_record rec;
    rec.key = {"invoice", "acme", "bill"};
    rec.due = rec.anchor = clock::wall_time{std::chrono::hours{24 * 365 * 56}};
    rec.period = 5s;
    rec.payload = {'h', 'i'};
    ASSERT_TRUE((*store)->upsert(rec, true));
    rec.key = {"sla", "acme", "check"};
    rec.period = 0s;
    rec.max_fires = 1;
    ASSERT_TRUE((*store)->upsert(rec, true));
    (*store)->close();
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
  EXPECT_NE(err.find("missing --db"), std::string::npos);
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
