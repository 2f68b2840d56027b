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

#include "facets/support/timer_harness.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace horae::test {

/// Builds a manual-time config with timers and reminders on `db`.
inline config reminder_config(const std::string& db) {
  config cfg;
  cfg.manual_time = true;
  cfg.add_module(timers_module());
  cfg.add_module(reminders_module());
  if (auto err = cfg.set("horae.reminders.db", caf::config_value{db}))
    throw std::runtime_error(describe(err));
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

/// A test with its own database file and a log of what reminder actors saw.
struct reminder_test : ::testing::Test {
  temp_dir dir;
  std::string db = dir.file("reminders.db");
  std::shared_ptr<reminder_log> log = std::make_shared<reminder_log>();
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
