// Fuzzes decoding of stored reminder rows: a row with arbitrary column
// values (wrong types, negative or huge numbers, odd text) is written behind
// the store's back; every read must return the record or a storage_corrupt
// error, never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <horae/core/error.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include <sqlite3.h>

namespace {

struct fixture {
  std::string path;
  std::unique_ptr<horae::reminder_store> store;
  sqlite3* raw = nullptr;
  sqlite3_stmt* insert = nullptr;

  fixture() {
    std::string dir
      = (std::filesystem::temp_directory_path() / "horae-fuzz-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr)
      std::abort();
    path = dir + "/fuzz.db";
    horae::sqlite_store_options opts;
    opts.path = path;
    auto opened = horae::open_sqlite_store(opts);
    if (!opened)
      std::abort();
    store = std::move(*opened);
    if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK)
      std::abort();
    sqlite3_exec(raw, "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
    // Every column of the current schema, so a schema change that this
    // statement misses fails here instead of fuzzing nothing.
    if (sqlite3_prepare_v2(raw,
                           "INSERT OR REPLACE INTO reminders VALUES "
                           "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                           "?15,?16,?17,?18,?19,?20,?21)",
                           -1, &insert, nullptr)
        != SQLITE_OK)
      std::abort();
  }
};

// Binds column `i` from the next input bytes: the first byte picks the
// SQLite type, the following bytes the value.
void bind_from(sqlite3_stmt* stmt, int i, const uint8_t*& p,
               const uint8_t* end) {
  auto take = [&](size_t n) {
    std::string out;
    while (n-- > 0 && p < end)
      out += static_cast<char>(*p++);
    return out;
  };
  uint8_t kind = p < end ? *p++ : 0;
  switch (kind % 5) {
    case 0: {
      int64_t v = 0;
      auto bytes = take(8);
      for (auto c : bytes)
        v = (v << 8) | static_cast<uint8_t>(c);
      sqlite3_bind_int64(stmt, i, v);
      break;
    }
    case 1: {
      auto text = take(kind / 5 % 16);
      sqlite3_bind_text(stmt, i, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT);
      break;
    }
    case 2: {
      auto blob = take(kind / 5 % 16);
      sqlite3_bind_blob(stmt, i, blob.data(), static_cast<int>(blob.size()),
                        SQLITE_TRANSIENT);
      break;
    }
    case 3:
      sqlite3_bind_double(stmt, i, static_cast<double>(kind) * 1e300);
      break;
    default:
      sqlite3_bind_null(stmt, i);
      break;
  }
}

} // namespace

/// Columns of the reminders table (schema version 4); the last two, the
/// cron expression and its time zone, feed arbitrary text to the parser.
constexpr int columns = 21;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fixture fx;
  auto p = data;
  auto end = data + size;
  sqlite3_exec(fx.raw, "DELETE FROM reminders", nullptr, nullptr, nullptr);
  sqlite3_reset(fx.insert);
  sqlite3_clear_bindings(fx.insert);
  // Keep the key readable so that get() can address the row.
  sqlite3_bind_text(fx.insert, 1, "t", 1, SQLITE_STATIC);
  sqlite3_bind_text(fx.insert, 2, "k", 1, SQLITE_STATIC);
  sqlite3_bind_text(fx.insert, 3, "n", 1, SQLITE_STATIC);
  for (int col = 4; col <= columns; ++col)
    bind_from(fx.insert, col, p, end);
  if (sqlite3_step(fx.insert) != SQLITE_DONE)
    return 0; // NOT NULL constraint etc.: nothing stored
  auto check = [](const caf::error& err) {
    if (err && horae::code_of(err) != horae::errc::storage_corrupt
        && horae::code_of(err) != horae::errc::storage_failure)
      __builtin_trap();
  };
  auto one = fx.store->get(horae::reminder_key{"t", "k", "n"});
  if (!one)
    check(one.error());
  auto all = fx.store->list("t", "k");
  if (!all)
    check(all.error());
  auto window = fx.store->due_before(horae::clock::wall_time::max(), 16);
  if (!window)
    check(window.error());
  return 0;
}
