// Shared helpers of the journaling tests: a temporary directory per test, a
// store opened on it with a manual clock, record builders and a latch.
#pragma once

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include <horae/core/error.hpp>
#include <horae/core/manual_clock.hpp>
#include <horae/journaling/postgres_store.hpp>
#include <horae/journaling/reminder_store.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include "support/postgres_schema.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace horae::test {

/// A one-shot gate: `wait` blocks until `open` was called.
class gate {
public:
  void open() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      open_ = true;
    }
    cv_.notify_all();
  }

  void wait() {
    std::unique_lock<std::mutex> guard{mtx_};
    cv_.wait(guard, [this] { return open_; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool open_ = false;
};

/// Counts down to zero; `wait` blocks until then.
class countdown {
public:
  explicit countdown(size_t n) : n_(n) {
    // nop
  }

  void count_down() {
    std::lock_guard<std::mutex> guard{mtx_};
    if (n_ > 0 && --n_ == 0)
      cv_.notify_all();
  }

  void wait() {
    std::unique_lock<std::mutex> guard{mtx_};
    cv_.wait(guard, [this] { return n_ == 0; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  size_t n_;
};

/// A periodic reminder due one minute after the clock's current time.
inline reminder_record make_record(const clock& clk, std::string actor_key,
                                   std::string name) {
  reminder_record rec;
  rec.key = reminder_key{"account", std::move(actor_key), std::move(name)};
  rec.anchor = clk.wall_now() + std::chrono::minutes{1};
  rec.due = rec.anchor;
  rec.period = std::chrono::seconds{30};
  return rec;
}

/// @returns whether `err` is a horae error of `code`.
inline bool has_code(const caf::error& err, errc code) {
  return code_of(err) == code;
}

/// Opens stores on a file in a temporary directory, with a manual clock.
class store_test : public ::testing::Test {
protected:
  sqlite_store_options options() const {
    sqlite_store_options opts;
    opts.path = db_path;
    opts.time_source = &clk;
    return opts;
  }

  std::unique_ptr<reminder_store> open_store() {
    return open_store(options());
  }

  std::unique_ptr<reminder_store> open_store(sqlite_store_options opts) {
    auto res = open_sqlite_store(std::move(opts));
    if (!res) {
      ADD_FAILURE() << "open failed: " << describe(res.error());
      return nullptr;
    }
    return std::move(*res);
  }

  temp_dir dir;
  std::string db_path = dir.file("reminders.db");
  manual_clock clk;
};

/// The store implementations that must keep one contract.
enum class store_kind { sqlite, postgres };

/// Prints the parameter in test names and failures.
inline void PrintTo(store_kind x, std::ostream* os) {
  *os << (x == store_kind::sqlite ? "sqlite" : "postgres");
}

/// Names test instances after the store ("Sqlite", "Postgres").
inline std::string store_name(const ::testing::TestParamInfo<store_kind>& x) {
  return x.param == store_kind::sqlite ? "Sqlite" : "Postgres";
}

/// Opens stores of the kind given as the test parameter: a SQLite file in
/// a temporary directory, or a private schema on the tests' PostgreSQL
/// server. Reopening finds the same data. Instantiate suites with the
/// instance names `Sqlite` and `Postgres`: the build runs tests whose name
/// holds "Postgres" with the server fixture.
class store_contract_test : public store_test,
                            public ::testing::WithParamInterface<store_kind> {
protected:
  void SetUp() override {
    if (GetParam() == store_kind::postgres)
      schema_ = std::make_unique<postgres_schema>();
  }

  /// Settings of a PostgreSQL store in this test's schema.
  postgres_store_options pg_options() const {
    postgres_store_options opts;
    opts.conninfo = schema_->conninfo();
    opts.time_source = &clk;
    return opts;
  }

  std::unique_ptr<reminder_store> open_store() {
    if (GetParam() == store_kind::sqlite)
      return store_test::open_store();
    auto res = open_postgres_store(pg_options());
    if (!res) {
      ADD_FAILURE() << "open failed: " << describe(res.error());
      return nullptr;
    }
    return std::move(*res);
  }

  std::unique_ptr<postgres_schema> schema_;
};

/// Runs a contract suite against both stores.
#define HORAE_STORE_CONTRACT_SUITE(suite)                                      \
  INSTANTIATE_TEST_SUITE_P(                                                    \
    Sqlite, suite, ::testing::Values(::horae::test::store_kind::sqlite),       \
    ::horae::test::store_name);                                                \
  INSTANTIATE_TEST_SUITE_P(                                                    \
    Postgres, suite, ::testing::Values(::horae::test::store_kind::postgres),   \
    ::horae::test::store_name)

} // namespace horae::test
