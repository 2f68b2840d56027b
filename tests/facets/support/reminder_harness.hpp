// Test support for reminders: a temporary database directory and manual-time
// runtimes that share it, so a test can "restart" the process.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/journaling/postgres_store.hpp>
#include <horae/journaling/sqlite_store.hpp>
#include <horae/testkit/scratch_schema.hpp>

#include "facets/support/timer_harness.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace horae::test {

/// Builds a manual-time config with timers and reminders on `db`: a SQLite
/// file, or a PostgreSQL connection string.
inline config reminder_config(const std::string& db) {
  config cfg;
  cfg.manual_time = true;
  cfg.add_module(timers_module());
  cfg.add_module(reminders_module());
  auto on_server = is_postgres_target(db);
  auto check = [](caf::error err) {
    if (err)
      throw std::runtime_error(describe(err));
  };
  if (on_server)
    check(cfg.set("horae.reminders.store",
                  caf::config_value{std::string{"postgres"}}));
  check(
    cfg.set(on_server ? "horae.reminders.postgres.uri" : "horae.reminders.db",
            caf::config_value{db}));
  // Quiet logs: tests provoke errors on purpose.
  cfg.set("horae.log.level", caf::config_value{std::string{"off"}});
  return cfg;
}

/// What reminder actors saw, by "type/key".
struct reminder_log {
  struct entry {
    std::string actor;
    reminder_fired fired;
  };
  std::vector<entry> fires;
  std::vector<caf::error> callbacks;
  int activations = 0;

  size_t count(const std::string& actor, const std::string& name) const {
    size_t n = 0;
    for (const auto& e : fires)
      if (e.actor == actor && e.fired.name == name)
        ++n;
    return n;
  }
};

/// A virtual actor behaviour that records reminder fires and runs code.
inline actor_factory reminder_recorder(std::shared_ptr<reminder_log> log) {
  return [log](actor* self) -> caf::behavior {
    ++log->activations;
    self->attach<reminder_facet>();
    return {
      [log, self](const reminder_fired& x) {
        log->fires.push_back({self->display_name(), x});
      },
      [self](const run_in_actor& x) { x.fn(self); },
    };
  };
}

/// Starts a runtime on `cfg` and defines the "billing" type.
inline std::unique_ptr<runtime>
reminder_runtime(config cfg, std::shared_ptr<reminder_log> log,
                 clock::duration idle = std::chrono::minutes{5}) {
  auto rt = runtime::make(std::move(cfg));
  if (!rt)
    throw std::runtime_error(describe(rt.error()));
  actor_type_options opts;
  opts.idle_timeout = idle;
  if (auto err = (*rt)->define("billing", reminder_recorder(log), opts))
    throw std::runtime_error(describe(err));
  return std::move(*rt);
}

/// A scratch schema when HORAE_TESTKIT_POSTGRES names a server, else none.
inline std::unique_ptr<testkit::scratch_schema> scratch_schema_if_asked() {
  auto server = testkit::postgres_from_environment();
  return server ? std::make_unique<testkit::scratch_schema>(*server) : nullptr;
}

/// A test with its own store and a log of what reminder actors saw. The
/// store is a SQLite file, or a scratch schema on PostgreSQL when
/// HORAE_TESTKIT_POSTGRES names a server: the build runs the reminder
/// suites both ways.
struct reminder_test : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<testkit::scratch_schema> schema = scratch_schema_if_asked();
  std::string db = schema ? schema->conninfo() : dir.file("reminders.db");
  std::shared_ptr<reminder_log> log = std::make_shared<reminder_log>();

  /// A second store on the runtime's database, as another process (the
  /// admin tool, a producer) would open it.
  std::unique_ptr<reminder_store> outside_store(const clock* time = nullptr) {
    caf::expected<std::unique_ptr<reminder_store>> store{nullptr};
    if (schema) {
      postgres_store_options opts;
      opts.conninfo = db;
      opts.time_source = time;
      store = open_postgres_store(std::move(opts));
    } else {
      sqlite_store_options opts;
      opts.path = db;
      opts.time_source = time;
      store = open_sqlite_store(std::move(opts));
    }
    if (!store)
      throw std::runtime_error(describe(store.error()));
    return std::move(*store);
  }
};

/// Runs `fn` inside billing/<key>.
inline void in_billing(runtime& rt, const std::string& key,
                       std::function<void(actor*)> fn) {
  auto ref = rt.ref("billing", key);
  if (!ref)
    throw std::runtime_error(describe(ref.error()));
  ref->send(run_in_actor{std::move(fn)});
  rt.run_until_idle();
}

} // namespace horae::test
