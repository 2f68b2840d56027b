// The test runtime: configuration, a temporary store, and time control.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include <horae/core/config/config_loader.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timer_service.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/testkit/run_in_actor.hpp>
#include <horae/testkit/test_runtime.hpp>

namespace horae::testkit {

module testkit_module() {
  module mod;
  mod.name = "testkit";
  facet_descriptor runner;
  runner.name = std::string{runner_facet::facet_name};
  runner.make
    = [](runtime&,
         const caf::settings&) -> caf::expected<std::unique_ptr<facet>> {
    return std::make_unique<runner_facet>();
  };
  mod.facets.push_back(std::move(runner));
  return mod;
}

namespace {

std::string make_temp_folder() {
  auto pattern
    = (std::filesystem::temp_directory_path() / "horae-testkit-XXXXXX")
        .string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("testkit: cannot create a temporary folder in "
                             + std::filesystem::temp_directory_path().string());
  return pattern;
}

[[noreturn]] void fail(const caf::error& err) {
  throw std::runtime_error("testkit: " + describe(err));
}

} // namespace

test_runtime::test_runtime(test_runtime_options options) {
  config_loader loader{"testkit"};
  loader.add_module(timers_module());
  if (options.reminders)
    loader.add_module(reminders_module());
  loader.add_module(testkit_module());
  for (auto& mod : options.modules)
    loader.add_module(std::move(mod));
  auto cfg = loader.load_text("", options.args, "testkit settings");
  if (!cfg)
    fail(cfg.error());
  cfg->manual_time = true;
  if (auto err
      = cfg->set("horae.log.level", caf::config_value{options.log_level}))
    fail(err);
  if (options.reminders) {
    auto server = options.postgres.empty() ? postgres_from_environment()
                                           : std::optional{options.postgres};
    if (server) {
      schema_ = std::make_unique<scratch_schema>(*server);
      if (auto err = cfg->set("horae.reminders.store",
                              caf::config_value{std::string{"postgres"}}))
        fail(err);
      if (auto err = cfg->set("horae.reminders.postgres.uri",
                              caf::config_value{schema_->conninfo()}))
        fail(err);
    } else {
      folder_ = make_temp_folder();
      auto db = folder_ + "/reminders.db";
      if (auto err = cfg->set("horae.reminders.db", caf::config_value{db}))
        fail(err);
    }
  }
  auto rt = runtime::make(std::move(*cfg), options.setup);
  if (!rt) {
    if (!folder_.empty())
      std::filesystem::remove_all(folder_);
    fail(rt.error());
  }
  rt_ = std::move(*rt);
  start_ = rt_->clock().now();
}

test_runtime::~test_runtime() {
  rt_->shutdown();
  rt_.reset();
  if (!folder_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
}

clock::time_point test_runtime::now() const {
  return rt_->clock().now();
}

void test_runtime::advance(clock::duration d, clock::duration step) {
  rt_->advance(d, step);
}

void test_runtime::run_in(const caf::actor& dest,
                          std::function<void(actor&)> fn) {
  caf::anon_send(dest, run_in_actor{std::move(fn)});
  rt_->run_until_idle();
}

void test_runtime::run_in_before_fires(const caf::actor& dest,
                                       clock::duration d,
                                       std::function<void(actor&)> fn) {
  caf::anon_send(dest, run_in_actor{std::move(fn)});
  // Time moves, and the timer service queues what fell due, but no actor
  // runs yet: the fires wait behind `fn` in the mailboxes.
  rt_->manual_clock()->advance(d);
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(
    rt_->system().scheduler());
  sched.advance_time(d);
  if (auto* timers = rt_->find_service<timer_service>())
    timers->poll();
  rt_->run_until_idle();
}

} // namespace horae::testkit
