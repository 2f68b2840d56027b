// Failure handling of the SQLite store: bad files, newer schemas, read-only
// files and locks held by other connections.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "journaling/store_fixture.hpp"
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace std::chrono_literals;
using namespace horae;
using horae::test::countdown;
using horae::test::gate;
using horae::test::has_code;
using horae::test::make_record;

namespace {

/// A second, raw connection to the same file, standing in for another
/// process.
class raw_connection {
public:
  explicit raw_connection(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
      ADD_FAILURE() << "cannot open " << path;
  }

  ~raw_connection() {
    sqlite3_close(db_);
  }

  void exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK)
      ADD_FAILURE() << sql << ": " << (msg != nullptr ? msg : "?");
    sqlite3_free(msg);
  }

private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreErrors : public horae::test::store_test {
protected:
  void create_store() {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->upsert(make_record(clk, "1", "r"), false));
  }
};

TEST_F(SqliteStoreErrors, NewerSchemaVersionIsRejected) {
  create_store();
  {
    raw_connection raw{db_path};
    raw.exec("UPDATE schema_version SET version = 99");
  }
  auto res = open_sqlite_store(options());
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_corrupt));
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("database schema version 99 is newer than supported "
                     + std::to_string(sqlite_store_schema_version())),
            std::string::npos)
    << msg;
  EXPECT_NE(msg.find(db_path), std::string::npos) << msg;
}

TEST_F(SqliteStoreErrors, FreshFileGetsTheLatestSchemaVersion) {
  create_store();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), sqlite_store_schema_version());
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE); // exactly one row
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// A file written by schema version 1 (index on due only, no failure
// policy) is migrated on open: its rows are kept, follow the module's
// failure policy, and the window is read through the new index.
TEST_F(SqliteStoreErrors, VersionOneFileIsMigratedKeepingItsRows) {
  auto due = std::to_string((clk.wall_now() + 1min).time_since_epoch().count());
  {
    raw_connection raw{db_path};
    raw.exec("CREATE TABLE schema_version (version INTEGER NOT NULL);"
             "INSERT INTO schema_version VALUES (1);"
             "CREATE TABLE reminders (actor_type TEXT NOT NULL,"
             " actor_key TEXT NOT NULL, name TEXT NOT NULL,"
             " payload BLOB NOT NULL, anchor INTEGER NOT NULL,"
             " due INTEGER NOT NULL, period INTEGER NOT NULL,"
             " max_fires INTEGER NOT NULL, expires INTEGER,"
             " fire_count INTEGER NOT NULL, policy INTEGER NOT NULL,"
             " revision INTEGER NOT NULL, created INTEGER NOT NULL,"
             " updated INTEGER NOT NULL,"
             " PRIMARY KEY (actor_type, actor_key, name));"
             "CREATE INDEX reminders_by_due ON reminders (due);"
             "CREATE TABLE store_meta (key TEXT PRIMARY KEY NOT NULL,"
             " value INTEGER NOT NULL);"
             "INSERT INTO store_meta VALUES ('last_revision', 1);");
    raw.exec("INSERT INTO reminders VALUES ('billing', '1', 'bill', x'01', "
             + due + ", " + due + ", 0, 1, NULL, 0, 0, 1, 0, 0)");
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rows = store->due_before(clk.wall_now() + 1h, 10);
  ASSERT_TRUE(rows) << describe(rows.error());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].key.name, "bill");
  EXPECT_EQ((*rows)[0].payload, std::vector<uint8_t>{1});
  EXPECT_FALSE((*rows)[0].on_failure) << "old rows follow the module default";
  EXPECT_EQ((*rows)[0].failed_fires, 0u);
  store->close();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT (SELECT version FROM schema_version), "
                               "(SELECT count(*) FROM sqlite_master WHERE "
                               "name = 'reminders_by_due_revision'), "
                               "(SELECT count(*) FROM sqlite_master WHERE "
                               "name = 'reminders_by_due')",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), sqlite_store_schema_version());
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 1) << "new index missing";
  EXPECT_EQ(sqlite3_column_int(stmt, 2), 0) << "old index left behind";
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteStoreErrors, GarbageFileIsCorruptAndNamed) {
  {
    std::ofstream out{db_path, std::ios::binary};
    for (int i = 0; i < 512; ++i)
      out << "this is not a database ";
  }
  auto res = open_sqlite_store(options());
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_corrupt))
    << describe(res.error());
  EXPECT_NE(describe(res.error()).find(db_path), std::string::npos)
    << describe(res.error());
}

TEST_F(SqliteStoreErrors, MissingDirectoryIsAStorageFailure) {
  auto opts = options();
  opts.path = dir.file("no/such/dir/reminders.db");
  auto res = open_sqlite_store(opts);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_failure))
    << describe(res.error());
  EXPECT_NE(describe(res.error()).find(opts.path), std::string::npos);
}

// An admin tool opens read-only: reads work, writes fail clearly.
TEST_F(SqliteStoreErrors, ReadOnlyStoreReadsButRejectsWrites) {
  create_store();
  auto opts = options();
  opts.read_only = true;
  auto store = open_store(opts);
  ASSERT_NE(store, nullptr);
  auto n = store->count();
  ASSERT_TRUE(n) << describe(n.error());
  EXPECT_EQ(*n, 1u);
  auto res = store->upsert(make_record(clk, "1", "new"), false);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_failure));
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("readonly"), std::string::npos) << msg;
  EXPECT_NE(msg.find(db_path), std::string::npos) << msg;
}

namespace {

/// Write-protects a file for as long as it lives. File modes do not stop
/// root, so as root the file is made immutable (`chattr +i`), which does.
class write_protection {
public:
  explicit write_protection(std::string path) : path_(std::move(path)) {
    if (geteuid() != 0) {
      active_ = chmod(path_.c_str(), 0444) == 0;
      return;
    }
    immutable_
      = std::system(("chattr +i '" + path_ + "' 2>/dev/null").c_str()) == 0;
    active_ = immutable_;
  }

  ~write_protection() {
    // The temporary directory must stay removable.
    if (immutable_)
      std::system(("chattr -i '" + path_ + "'").c_str());
  }

  write_protection(const write_protection&) = delete;
  write_protection& operator=(const write_protection&) = delete;

  bool active() const noexcept {
    return active_;
  }

private:
  std::string path_;
  bool immutable_ = false;
  bool active_ = false;
};

} // namespace

// A write-protected file is reported at open, naming the path.
TEST_F(SqliteStoreErrors, WriteProtectedFileIsReportedAtOpen) {
  create_store();
  write_protection protect{db_path};
  if (!protect.active())
    GTEST_SKIP() << "cannot write-protect a file here (root without chattr)";
  auto res = open_sqlite_store(options());
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_failure));
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("readonly"), std::string::npos) << msg;
  EXPECT_NE(msg.find(db_path), std::string::npos) << msg;
}

// Another connection holding the write lock makes writes fail after the
// busy timeout; once it lets go, writes succeed again.
TEST_F(SqliteStoreErrors, LockedDatabaseFailsThenRecovers) {
  auto opts = options();
  opts.busy_timeout = 50ms;
  auto store = open_store(opts);
  ASSERT_NE(store, nullptr);
  raw_connection other{db_path};
  other.exec("BEGIN EXCLUSIVE");
  auto res = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::storage_failure));
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("locked"), std::string::npos) << msg;
  // Reads still work from the last committed snapshot.
  EXPECT_TRUE(store->count());
  other.exec("ROLLBACK");
  auto again = store->upsert(make_record(clk, "1", "r"), false);
  EXPECT_TRUE(again) << describe(again.error());
}

// When the batch's transaction cannot start, every request in it fails
// and nothing of it is written.
TEST_F(SqliteStoreErrors, FailedBatchFailsEveryRequest) {
  auto opts = options();
  opts.busy_timeout = 50ms;
  auto store = open_store(opts);
  ASSERT_NE(store, nullptr);
  auto existing = store->upsert(make_record(clk, "1", "existing"), false);
  ASSERT_TRUE(existing);
  // Park the writer in a completion so the next requests form one batch.
  auto release = std::make_shared<gate>();
  auto entered = std::make_shared<gate>();
  store->remove_async(reminder_key{"account", "1", "nothing"},
                      [release, entered](caf::error) {
                        entered->open();
                        release->wait();
                      });
  entered->wait();
  raw_connection other{db_path};
  other.exec("BEGIN EXCLUSIVE");
  countdown done{3};
  std::vector<caf::error> errors(3);
  auto collect = [&](size_t i) {
    return [&, i](caf::error err) {
      errors[i] = std::move(err);
      done.count_down();
    };
  };
  auto as_error = [](auto f) {
    return [f](caf::expected<reminder_record> res) {
      f(res ? caf::error{} : res.error());
    };
  };
  store->upsert_async(make_record(clk, "1", "a"), false, as_error(collect(0)));
  store->remove_async(existing->key, collect(1));
  store->upsert_async(make_record(clk, "1", "b"), false, as_error(collect(2)));
  release->open();
  done.wait();
  for (auto& err : errors)
    EXPECT_TRUE(has_code(err, errc::storage_failure)) << describe(err);
  other.exec("ROLLBACK");
  auto rows = store->list("account", "1");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], *existing);
  EXPECT_TRUE(store->upsert(make_record(clk, "1", "a"), false));
}

TEST_F(SqliteStoreErrors, BadOptionsAreInvalidArguments) {
  auto opts = options();
  opts.path.clear();
  auto res = open_sqlite_store(opts);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::invalid_argument));
  opts = options();
  opts.max_batch = 0;
  res = open_sqlite_store(opts);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::invalid_argument));
}

} // namespace

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return std::string{std::istreambuf_iterator<char>{in}, {}};
}

} // namespace

// After a clean close, the database file alone holds every row: a copy of
// it without the -wal file (a naive backup) loses nothing.
TEST_F(SqliteStoreErrors, CleanCloseLeavesEveryRowInTheDatabaseFile) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(
        store->upsert(make_record(clk, "1", "r" + std::to_string(i)), true));
    store->close();
  }
  auto copy = dir.file("copy.db");
  std::filesystem::copy_file(db_path, copy);
  auto opts = options();
  opts.path = copy;
  auto reopened = open_sqlite_store(opts);
  ASSERT_TRUE(reopened) << describe(reopened.error());
  auto n = (*reopened)->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 100u) << "rows were left only in the -wal file";
}

// Another program's database at the configured path is refused with a clear
// error, and not a byte of it changes (no WAL switch, no tables added).
TEST_F(SqliteStoreErrors, ForeignDatabaseIsRefusedAndLeftUnchanged) {
  {
    raw_connection raw{db_path};
    raw.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('x')");
  }
  auto before = file_bytes(db_path);
  auto res = open_sqlite_store(options());
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::invalid_argument));
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("not a horae reminder store"), std::string::npos) << msg;
  EXPECT_NE(msg.find(db_path), std::string::npos) << msg;
  EXPECT_EQ(file_bytes(db_path), before) << "foreign database was modified";
  EXPECT_FALSE(std::filesystem::exists(db_path + "-wal"));
}

// A new store carries horae's mark; a store that must exist is not created
// in an empty file.
TEST_F(SqliteStoreErrors, StoresAreMarkedAndNeverCreatedWhenTheyMustExist) {
  create_store();
  EXPECT_NE(file_bytes(db_path).substr(68, 4), std::string(4, '\0'))
    << "no application id in the header";
  auto empty = dir.file("empty.db");
  std::ofstream{empty}.flush();
  auto opts = options();
  opts.path = empty;
  opts.must_exist = true;
  auto res = open_sqlite_store(opts);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::not_found)) << describe(res.error());
  EXPECT_EQ(std::filesystem::file_size(empty), 0u);
}

// A store whose file becomes write-protected says so, naming the path,
// instead of a bare I/O error.
TEST_F(SqliteStoreErrors, FileMadeReadOnlyIsReportedAsNotWritable) {
  create_store();
  write_protection protect{db_path};
  if (!protect.active())
    GTEST_SKIP() << "cannot write-protect a file here (root without chattr)";
  auto res = open_sqlite_store(options());
  ASSERT_FALSE(res);
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("not writable"), std::string::npos) << msg;
  EXPECT_NE(msg.find(db_path), std::string::npos) << msg;
}

// A consistent copy of a live store, taken while it is open for writing.
TEST_F(SqliteStoreErrors, BackupCopiesALiveStore) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(
      store->upsert(make_record(clk, "1", "r" + std::to_string(i)), true));
  auto target = dir.file("backup.db");
  ASSERT_FALSE(backup_sqlite_store(db_path, target));
  EXPECT_TRUE(
    has_code(backup_sqlite_store(db_path, target), errc::already_exists));
  auto opts = options();
  opts.path = target;
  auto copy = open_sqlite_store(opts);
  ASSERT_TRUE(copy) << describe(copy.error());
  EXPECT_EQ(*(*copy)->count(), 10u);
}

// Rows a hand edit broke (a due time of INT64_MIN, a TEXT due time, a
// period of 9e18) are skipped by the window and listings, reported once
// each, and named with their reason when asked for by key; the valid rows
// around them are still read.
TEST_F(SqliteStoreErrors, HandEditedRowsAreSkippedAndReportedOnce) {
  std::vector<std::string> reported;
  auto opts = options();
  opts.on_invalid_row = [&](const reminder_key& key, const caf::error&) {
    reported.push_back(key.name);
  };
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    for (auto name : {"a", "min", "text", "huge", "z"})
      ASSERT_TRUE(store->upsert(make_record(clk, "1", name), true));
    store->close();
  }
  {
    raw_connection raw{db_path};
    raw.exec("UPDATE reminders SET due = -9223372036854775808 "
             "WHERE name = 'min'");
    raw.exec("UPDATE reminders SET due = 'soon' WHERE name = 'text'");
    raw.exec("UPDATE reminders SET period = 9000000000000000000 "
             "WHERE name = 'huge'");
  }
  auto store = open_store(opts);
  ASSERT_NE(store, nullptr);
  for (int pass = 0; pass < 2; ++pass) {
    auto rows = store->due_before(clk.wall_now() + 24h, 2);
    ASSERT_TRUE(rows) << describe(rows.error());
    ASSERT_EQ(rows->size(), 2u) << "a page counts only valid rows";
    auto all = store->list_all(100, 0);
    ASSERT_TRUE(all) << describe(all.error());
    EXPECT_EQ(all->size(), 2u);
  }
  std::sort(reported.begin(), reported.end());
  EXPECT_EQ(reported, (std::vector<std::string>{"huge", "min", "text"}));
  auto bad = store->get(reminder_key{"account", "1", "text"});
  ASSERT_FALSE(bad);
  EXPECT_TRUE(has_code(bad.error(), errc::storage_corrupt));
  EXPECT_NE(describe(bad.error()).find("due is not an integer"),
            std::string::npos)
    << describe(bad.error());
}

// The database file deleted under an open store: writes are refused with
// an error naming the path, instead of acknowledged into a deleted file.
TEST_F(SqliteStoreErrors, DeletedDatabaseFileFailsWrites) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->upsert(make_record(clk, "1", "a"), true));
  std::filesystem::remove(db_path);
  auto res = store->upsert(make_record(clk, "1", "b"), true);
  ASSERT_FALSE(res) << "write acknowledged into a deleted file";
  EXPECT_TRUE(has_code(res.error(), errc::storage_failure));
  auto msg = describe(res.error());
  EXPECT_NE(msg.find("was deleted"), std::string::npos) << msg;
  EXPECT_NE(msg.find(db_path), std::string::npos) << msg;
  EXPECT_FALSE(store->count()) << "reads of a deleted file must fail too";
}

// The database file replaced by another store: writes are refused, and the
// other store (and its log) is left as it was.
TEST_F(SqliteStoreErrors, ReplacedDatabaseFileIsNeverWritten) {
  auto other_path = dir.file("other.db");
  {
    auto opts = options();
    opts.path = other_path;
    auto other = open_sqlite_store(opts);
    ASSERT_TRUE(other);
    ASSERT_TRUE((*other)->upsert(make_record(clk, "9", "theirs"), true));
    (*other)->close();
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->upsert(make_record(clk, "1", "a"), true));
  std::filesystem::rename(other_path, db_path);
  auto before = file_bytes(db_path);
  auto res = store->upsert(make_record(clk, "1", "b"), true);
  ASSERT_FALSE(res);
  EXPECT_NE(describe(res.error()).find("replaced"), std::string::npos)
    << describe(res.error());
  store->close();
  EXPECT_EQ(file_bytes(db_path), before) << "the other store was written";
  auto opts = options();
  auto reopened = open_sqlite_store(opts);
  ASSERT_TRUE(reopened) << describe(reopened.error());
  auto rows = (*reopened)->list_all(10, 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().key.name, "theirs");
}

namespace {

/// Overwrites one leaf page of the reminders table, near its middle, with
/// garbage, as a failing disk would.
void damage_a_table_page(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT pageno FROM dbstat WHERE name = "
                               "'reminders' AND pagetype = 'leaf' "
                               "ORDER BY pageno",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  std::vector<int64_t> pages;
  while (sqlite3_step(stmt) == SQLITE_ROW)
    pages.push_back(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  ASSERT_GE(pages.size(), 10u);
  std::fstream file{path, std::ios::in | std::ios::out | std::ios::binary};
  file.seekp((pages[pages.size() / 2] - 1) * 4096);
  std::string garbage(4096, '\x5a');
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

} // namespace

// One damaged page no longer stops every delivery: the window is read
// without the index, stepping over what cannot be read, and the damage is
// reported once; `check_sqlite_store` says which rows are unreadable.
TEST_F(SqliteStoreErrors, CorruptPageStillDeliversEveryReadableRow) {
  constexpr size_t total = 3000;
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    for (size_t i = 0; i < total; ++i)
      ASSERT_TRUE(
        store->upsert(make_record(clk, "1", "r" + std::to_string(i)), true));
    store->close();
  }
  damage_a_table_page(db_path);
  int damage_reports = 0;
  auto opts = options();
  opts.on_damage = [&](const caf::error&, size_t) { ++damage_reports; };
  auto store = open_store(opts);
  ASSERT_NE(store, nullptr);
  size_t read = 0;
  for (int pass = 0; pass < 2; ++pass) {
    auto rows = store->due_before(clk.wall_now() + 24h, total);
    ASSERT_TRUE(rows) << describe(rows.error());
    read = rows->size();
  }
  EXPECT_EQ(damage_reports, 1);
  EXPECT_LT(read, total) << "the damaged page was not damaged";
  EXPECT_GT(read, total * 9 / 10) << "more lost than the damaged page";
  store->close();
  auto report = check_sqlite_store(db_path);
  ASSERT_TRUE(report) << describe(report.error());
  EXPECT_TRUE(report->damaged());
  EXPECT_EQ(report->readable_rows, read);
  EXPECT_FALSE(report->unreadable.empty() && report->invalid_rows.empty());
}
