// Durable reminder registration: group commit of each store against one
// transaction per row on the same schema, plus the time to the first due
// batch after reopening a large store. SQLite runs with WAL +
// synchronous=FULL; PostgreSQL (with --store=postgres) with its defaults
// (fsync on, synchronous_commit on), in the same run as SQLite.
//
// Usage: reminder_store_bench [--rows=N] [--submitters=N] [--window=N]
//          [--baseline-rows=N] [--restart-rows=N] [--lookahead-s=N]
//          [--dir=PATH] [--store=sqlite|postgres] [--postgres=CONNINFO]
// Without --postgres, --store=postgres starts a throwaway server of its own
// (durable settings) and removes it afterwards. The results end in
// key=value lines (`group_commit_speedup=<x>` for SQLite, `postgres_*`).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <horae/core/error.hpp>
#include <horae/journaling/postgres_store.hpp>
#include <horae/journaling/sqlite_store.hpp>
#include <horae/testkit/scratch_schema.hpp>

#include "postgres_bench.hpp"
#include <sqlite3.h>

using namespace std::chrono_literals;
using horae::clock;
using horae::reminder_record;
using horae::reminder_store;
using steady = std::chrono::steady_clock;

namespace {

// -- settings -----------------------------------------------------------------

struct settings {
  size_t rows = 20'000;
  size_t submitters = 64;
  size_t window = 16;
  size_t baseline_rows = 2'000;
  size_t restart_rows = 200'000;
  long lookahead_s = 60;
  std::string dir;
  bool postgres = false;
  std::string conninfo;
};

bool parse_size(const char* arg, const char* name, size_t& out) {
  auto len = std::strlen(name);
  if (std::strncmp(arg, name, len) != 0 || arg[len] != '=')
    return false;
  out = std::strtoull(arg + len + 1, nullptr, 10);
  return true;
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    size_t lookahead = 0;
    if (parse_size(argv[i], "--rows", s.rows)
        || parse_size(argv[i], "--submitters", s.submitters)
        || parse_size(argv[i], "--window", s.window)
        || parse_size(argv[i], "--baseline-rows", s.baseline_rows)
        || parse_size(argv[i], "--restart-rows", s.restart_rows))
      continue;
    if (parse_size(argv[i], "--lookahead-s", lookahead)) {
      s.lookahead_s = static_cast<long>(lookahead);
    } else if (std::strncmp(argv[i], "--dir=", 6) == 0) {
      s.dir = argv[i] + 6;
    } else if (std::strcmp(argv[i], "--store=postgres") == 0) {
      s.postgres = true;
    } else if (std::strcmp(argv[i], "--store=sqlite") == 0) {
      s.postgres = false;
    } else if (std::strncmp(argv[i], "--postgres=", 11) == 0) {
      s.postgres = true;
      s.conninfo = argv[i] + 11;
    } else {
      std::fprintf(stderr, "unknown argument: %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (s.submitters == 0 || s.window == 0) {
    std::fprintf(stderr, "--submitters and --window must be positive\n");
    std::exit(2);
  }
  return s;
}

// -- helpers ------------------------------------------------------------------

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "reminder_store_bench: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(steady::time_point start) {
  return std::chrono::duration<double>(steady::now() - start).count();
}

long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

reminder_record make_record(size_t submitter, size_t i, clock::wall_time due) {
  reminder_record rec;
  rec.key = {"account", std::to_string(submitter), "r" + std::to_string(i)};
  rec.payload.assign(32, static_cast<uint8_t>(i));
  rec.anchor = due;
  rec.due = due;
  rec.period = 1h;
  return rec;
}

std::unique_ptr<reminder_store> open_store(const std::string& path) {
  caf::expected<std::unique_ptr<reminder_store>> res{nullptr};
  if (horae::is_postgres_target(path)) {
    horae::postgres_store_options opts;
    opts.conninfo = path;
    res = horae::open_postgres_store(opts);
  } else {
    horae::sqlite_store_options opts;
    opts.path = path;
    res = horae::open_sqlite_store(opts);
  }
  if (!res)
    die(horae::describe(res.error()));
  return std::move(*res);
}

/// Lets a submitter keep at most `window` writes in flight, like an actor
/// that sends registrations and handles their acknowledgements.
class in_flight {
public:
  explicit in_flight(size_t window) : window_(window) {
    // nop
  }

  void acquire() {
    std::unique_lock<std::mutex> guard{mtx_};
    if (used_ == window_) {
      // Resume once half the window is free, not on every ack: an actor is
      // likewise woken once for a mailbox full of acks, and a wake-up per
      // row would measure the scheduler instead of the store.
      low_water_ = window_ / 2;
      cv_.wait(guard, [this] { return used_ <= low_water_; });
    }
    ++used_;
  }

  void release() {
    std::unique_lock<std::mutex> guard{mtx_};
    if (--used_ == low_water_) {
      guard.unlock();
      cv_.notify_one();
    }
  }

  void drain() {
    std::unique_lock<std::mutex> guard{mtx_};
    low_water_ = 0;
    cv_.wait(guard, [this] { return used_ == 0; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  size_t window_;
  size_t used_ = 0;
  size_t low_water_ = static_cast<size_t>(-1);
};

/// Registers `rows` reminders from `submitters` threads, each with at most
/// `window` upserts in flight. @returns rows per second.
double fill(reminder_store& store, size_t rows, size_t submitters,
            size_t window, clock::wall_time base, bool spread_due) {
  std::atomic<size_t> failures{0};
  std::vector<std::thread> threads;
  auto start = steady::now();
  for (size_t t = 0; t < submitters; ++t) {
    threads.emplace_back([&, t] {
      in_flight slots{window};
      std::mt19937_64 local{t};
      std::uniform_int_distribution<int64_t> offset_s{-3600, 30 * 86400};
      for (size_t i = t; i < rows; i += submitters) {
        auto due = spread_due ? base + std::chrono::seconds{offset_s(local)}
                              : base + 1h;
        slots.acquire();
        store.upsert_async(make_record(t, i, due), true,
                           [&](caf::expected<reminder_record> res) {
                             if (!res && failures++ == 0)
                               std::fprintf(
                                 stderr, "upsert failed: %s\n",
                                 horae::describe(res.error()).c_str());
                             slots.release();
                           });
      }
      slots.drain();
    });
  }
  for (auto& th : threads)
    th.join();
  auto elapsed = seconds_since(start);
  if (failures > 0)
    die(std::to_string(failures.load()) + " upserts failed");
  return static_cast<double>(rows) / elapsed;
}

// -- baseline -----------------------------------------------------------------

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    die(std::string{what} + ": " + sqlite3_errmsg(db));
}

/// One durable transaction per row on the store's own schema (same table,
/// same indexes), WAL + synchronous=FULL. @returns rows per second.
double baseline(const std::string& path, size_t rows, clock::wall_time base) {
  open_store(path)->close(); // creates the schema
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
                     nullptr, nullptr, nullptr),
        db, "pragmas");
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* commit = nullptr;
  check(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr), db,
        "prepare");
  check(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(
          db,
          "INSERT INTO reminders (actor_type, actor_key, name, payload, "
          "anchor, due, period, max_fires, expires, fire_count, policy, "
          "revision, created, updated) VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?5, ?6, 0, NULL, 0, 0, ?7, ?5, ?5)",
          -1, &insert, nullptr),
        db, "prepare");
  std::vector<uint8_t> payload(32, 7);
  auto start = steady::now();
  for (size_t i = 0; i < rows; ++i) {
    auto key = std::to_string(i);
    auto due = (base + 1h).time_since_epoch().count();
    check(sqlite3_step(begin), db, "begin");
    sqlite3_reset(begin);
    sqlite3_bind_text(insert, 1, "account", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, key.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, "r", -1, SQLITE_STATIC);
    sqlite3_bind_blob(insert, 4, payload.data(),
                      static_cast<int>(payload.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert, 5, due);
    sqlite3_bind_int64(insert, 6, std::chrono::nanoseconds{1h}.count());
    sqlite3_bind_int64(insert, 7, static_cast<int64_t>(i + 1));
    check(sqlite3_step(insert), db, "insert");
    sqlite3_reset(insert);
    check(sqlite3_step(commit), db, "commit");
    sqlite3_reset(commit);
  }
  auto elapsed = seconds_since(start);
  sqlite3_finalize(begin);
  sqlite3_finalize(insert);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  return static_cast<double>(rows) / elapsed;
}

// -- restart ------------------------------------------------------------------

void restart(const std::string& path, const settings& s, clock::wall_time base,
             const char* store_name) {
  {
    auto store = open_store(path);
    auto start = steady::now();
    fill(*store, s.restart_rows, 4, 1024, base, true);
    std::printf("restart: filled %zu rows in %.2f s\n", s.restart_rows,
                seconds_since(start));
  }
  auto rss_before = rss_kib();
  auto start = steady::now();
  auto store = open_store(path);
  auto opened = seconds_since(start);
  auto now = clock::wall_time{std::chrono::duration_cast<clock::duration>(
    std::chrono::system_clock::now().time_since_epoch())};
  auto batch
    = store->due_before(now + std::chrono::seconds{s.lookahead_s}, 1024);
  auto first_batch = seconds_since(start);
  if (!batch)
    die(horae::describe(batch.error()));
  auto rss_after = rss_kib();
  auto total = store->count();
  std::printf("restart: %llu stored, reopen %.2f ms, first due batch (%zu "
              "rows, lookahead %ld s) %.2f ms after open started\n",
              static_cast<unsigned long long>(total ? *total : 0), opened * 1e3,
              batch->size(), s.lookahead_s, first_batch * 1e3);
  std::printf("restart: RSS %ld KiB before reopen, %ld KiB after first "
              "batch (+%ld KiB)\n",
              rss_before, rss_after, rss_after - rss_before);
  std::printf("%s_restart_first_due_ms=%.2f\n", store_name, first_batch * 1e3);
}

/// The PostgreSQL half: the same three measurements, each in a schema of
/// its own on the server. @returns the group-commit rate.
double postgres_section(const settings& s, clock::wall_time base,
                        const std::string& dir) {
  std::unique_ptr<postgres_server> own;
  auto server = s.conninfo;
  if (server.empty()) {
    own = std::make_unique<postgres_server>(dir + "/postgres");
    server = own->conninfo();
  }
  std::printf("postgres: %s (fsync %s, synchronous_commit %s)\n",
              horae::describe_postgres_target(server).c_str(),
              server_setting(server, "fsync").c_str(),
              server_setting(server, "synchronous_commit").c_str());
  horae::testkit::scratch_schema baseline_schema{server};
  open_store(baseline_schema.conninfo())->close(); // creates the schema
  auto base_rate
    = postgres_baseline(baseline_schema.conninfo(), s.baseline_rows, base);
  std::printf("postgres baseline (1 txn per row): %zu rows, %.0f rows/s\n",
              s.baseline_rows, base_rate);
  double group_rate = 0;
  {
    horae::testkit::scratch_schema schema{server};
    auto store = open_store(schema.conninfo());
    group_rate = fill(*store, s.rows, s.submitters, s.window, base, false);
  }
  std::printf("postgres group commit: %zu rows, %zu submitters x %zu in "
              "flight, %.0f rows/s\n",
              s.rows, s.submitters, s.window, group_rate);
  if (s.restart_rows > 0) {
    horae::testkit::scratch_schema schema{server};
    restart(schema.conninfo(), s, base, "postgres");
  }
  std::printf("postgres_group_rows_per_s=%.0f\n", group_rate);
  std::printf("postgres_baseline_rows_per_s=%.0f\n", base_rate);
  std::printf("postgres_group_commit_speedup=%.1f\n", group_rate / base_rate);
  return group_rate;
}

} // namespace

int main(int argc, char** argv) {
  auto s = parse(argc, argv);
  std::string dir = s.dir;
  bool own_dir = dir.empty();
  if (own_dir) {
    std::string tmpl
      = (std::filesystem::temp_directory_path() / "horae_store_bench_XXXXXX")
          .string();
    if (mkdtemp(tmpl.data()) == nullptr)
      die("mkdtemp failed");
    dir = tmpl;
  }
  auto base = clock::wall_time{std::chrono::duration_cast<clock::duration>(
    std::chrono::system_clock::now().time_since_epoch())};
  std::printf("reminder_store_bench: dir %s, WAL + synchronous=FULL\n",
              dir.c_str());
  auto base_rate = baseline(dir + "/baseline.db", s.baseline_rows, base);
  std::printf("baseline (1 txn per row): %zu rows, %.0f rows/s\n",
              s.baseline_rows, base_rate);
  double group_rate = 0;
  {
    auto store = open_store(dir + "/group.db");
    group_rate = fill(*store, s.rows, s.submitters, s.window, base, false);
  }
  std::printf("group commit: %zu rows, %zu submitters x %zu in flight, "
              "%.0f rows/s\n",
              s.rows, s.submitters, s.window, group_rate);
  double blocking_rate = 0;
  {
    auto store = open_store(dir + "/blocking.db");
    blocking_rate = fill(*store, s.rows / 4, s.submitters, 1, base, false);
  }
  std::printf("group commit: %zu rows, %zu submitters x 1 in flight "
              "(each waits for its own ack), %.0f rows/s\n",
              s.rows / 4, s.submitters, blocking_rate);
  // Disks shared with other work change their fsync latency by the minute;
  // measuring the baseline again after the group runs and averaging keeps
  // the ratio from riding on one lucky or unlucky phase.
  auto base_rate2 = baseline(dir + "/baseline2.db", s.baseline_rows / 2, base);
  std::printf("baseline again (1 txn per row): %zu rows, %.0f rows/s\n",
              s.baseline_rows / 2, base_rate2);
  base_rate = (base_rate + base_rate2) / 2;
  std::printf("baseline mean: %.0f rows/s; group commit (blocking "
              "submitters) %.1fx\n",
              base_rate, blocking_rate / base_rate);
  if (s.restart_rows > 0)
    restart(dir + "/restart.db", s, base, "sqlite");
  double pg_group = 0;
  if (s.postgres)
    pg_group = postgres_section(s, base, dir);
  if (own_dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::printf("group_commit_speedup=%.1f\n", group_rate / base_rate);
  std::printf("sqlite_group_rows_per_s=%.0f\n", group_rate);
  if (s.postgres)
    std::printf("postgres_vs_sqlite_group=%.2f\n", pg_group / group_rate);
  return 0;
}
