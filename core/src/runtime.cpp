// Construction, manual-time driving and ordered shutdown of a runtime.
#include <algorithm>

#include <caf/scheduler/test_coordinator.hpp>

#include <horae/core/detail/runtime_system_config.hpp>
#include <horae/core/detail/thread_wakeups.hpp>
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/manual_clock.hpp>
#include <horae/core/runtime.hpp>

#include "actors/defined_type.hpp"
#include "actors/function_actor.hpp"
#include "config/caf_options.hpp"
#include "metrics/metrics_endpoint.hpp"
#include <spdlog/spdlog.h>

namespace horae {

namespace {

caf::scheduler::test_coordinator* test_scheduler(caf::actor_system& sys) {
  return dynamic_cast<caf::scheduler::test_coordinator*>(&sys.scheduler());
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

runtime::runtime(horae::config cfg) : config_(std::move(cfg)) {
  if (config_.manual_time)
    clock_ = std::make_unique<horae::manual_clock>();
  else
    clock_ = std::make_unique<system_clock>();
  system_config_ = std::make_unique<detail::runtime_system_config>(this);
  auto& sys_cfg = *system_config_;
  // Modules first, so that the user's `caf` section can still override the
  // options they set.
  for (const auto& mod : config_.modules())
    if (mod.configure_system)
      mod.configure_system(sys_cfg);
  // CAF's own options next, so that what the runtime itself needs wins.
  if (auto caf_section = caf::get_if<caf::settings>(&config_.content(), "caf"))
    for (auto& [name, value] : detail::leaves(*caf_section))
      sys_cfg.set(name, std::move(value));
  if (config_.manual_time)
    sys_cfg.set("scheduler.policy", caf::atom("testing"));
  if (auto threads = config_.get_int("horae.scheduler.threads"); threads > 0)
    sys_cfg.set("scheduler.max-threads", static_cast<size_t>(threads));
  if (config_.get_bool("horae.scheduler.precise-wakeups"))
    sys_cfg.add_thread_hook<detail::precise_wakeups_hook>();
  sys_cfg.add_error_category(
    error_category,
    [](uint8_t code, caf::atom_value category, const caf::message& ctx) {
      return describe(caf::error{code, category, ctx});
    });
  system_ = std::make_unique<caf::actor_system>(sys_cfg);
  registry_ = std::make_shared<virtual_actor_registry>(*this);
  metrics_.add_gauge("horae_virtual_actors_active",
                     "virtual actor activations that exist now",
                     [reg = registry_.get()] {
                       return static_cast<double>(reg->active_count());
                     });
}

caf::expected<std::unique_ptr<runtime>> runtime::make(horae::config cfg) {
  return make(std::move(cfg), setup_fn{});
}

caf::expected<std::unique_ptr<runtime>> runtime::make(horae::config cfg,
                                                      const setup_fn& setup) {
  if (auto err = logging::configure(cfg))
    return err;
  std::unique_ptr<runtime> rt{new runtime(std::move(cfg))};
  for (const auto& mod : rt->config_.modules()) {
    if (!mod.install)
      continue;
    if (auto err = mod.install(*rt)) {
      rt->shutdown();
      return err;
    }
  }
  if (setup) {
    if (auto err = setup(*rt)) {
      rt->shutdown();
      return err;
    }
    // The application's types are known now: a section for any other type
    // is most likely a typo, which would otherwise pass unnoticed.
    for (const auto& [type, section] : rt->config_.actor_types())
      if (!rt->registry_->defined(type))
        logging::logger("core")->warn(
          "{}: section [actor.{}] configures an actor type that the "
          "application does not define",
          rt->config_.source(), type);
  }
  if (auto port = rt->config_.get_int("horae.metrics.port"); port > 0) {
    auto endpoint = std::make_unique<detail::metrics_endpoint>(
      rt->metrics_, rt->config_.get_string("horae.metrics.address"),
      static_cast<int>(port));
    if (auto err = endpoint->bind()) {
      rt->shutdown();
      return err;
    }
    rt->add_service_impl(std::type_index{typeid(detail::metrics_endpoint)},
                         std::move(endpoint));
  }
  for (auto& [type, svc] : rt->services_)
    svc->start();
  rt->started_ = true;
  logging::logger("core")->debug("runtime started ({} services, {} clock)",
                                 rt->services_.size(),
                                 rt->config_.manual_time ? "manual" : "real");
  return rt;
}

runtime::~runtime() {
  shutdown();
}

horae::manual_clock* runtime::manual_clock() noexcept {
  return config_.manual_time ? static_cast<horae::manual_clock*>(clock_.get())
                             : nullptr;
}

// -- services -----------------------------------------------------------------

void runtime::add_service_impl(std::type_index type,
                               std::unique_ptr<service> ptr) {
  if (find_service_impl(type) != nullptr)
    throw std::logic_error("horae::runtime: service '"
                           + std::string{ptr->name()} + "' added twice");
  auto raw = ptr.get();
  services_.emplace_back(type, std::move(ptr));
  if (started_)
    raw->start();
}

service* runtime::find_service_impl(std::type_index type) const noexcept {
  for (const auto& [t, svc] : services_)
    if (t == type)
      return svc.get();
  return nullptr;
}

// -- facets -------------------------------------------------------------------

caf::expected<caf::settings>
runtime::facet_settings(const std::string& name,
                        const caf::settings& settings) const {
  auto desc = config_.find_facet(name);
  if (desc == nullptr)
    return make_error(errc::not_found,
                      "no module provides a facet named '" + name + "'");
  caf::settings complete = settings;
  for (const auto& spec : desc->settings) {
    auto i = complete.find(spec.key);
    if (i == complete.end()) {
      complete.insert_or_assign(spec.key, spec.fallback);
    } else {
      auto where = "facet '" + name + "'";
      auto check = spec;
      check.key = name + "." + spec.key;
      if (auto err = check.check(i->second, where))
        return err;
    }
  }
  for (const auto& entry : complete) {
    const auto& key = entry.first;
    auto known
      = std::any_of(desc->settings.begin(), desc->settings.end(),
                    [&](const option_spec& s) { return s.key == key; });
    if (!known)
      return make_error(errc::invalid_config,
                        "facet '" + name + "': unknown setting '" + key + "'");
  }
  return complete;
}

caf::expected<std::unique_ptr<facet>>
runtime::make_facet(const std::string& name, const caf::settings& settings) {
  auto complete = facet_settings(name, settings);
  if (!complete)
    return complete.error();
  return config_.find_facet(name)->make(*this, *complete);
}

// -- actors -------------------------------------------------------------------

caf::actor runtime::spawn(actor_factory factory) {
  // A plain actor: no type name, no facets from config, no idle timeout.
  auto type = std::make_shared<detail::defined_type>();
  type->factory = std::move(factory);
  auto handle = system_->spawn<detail::function_actor>(
    std::move(type), std::nullopt, vacate_hook{});
  std::lock_guard<std::mutex> guard{spawned_mtx_};
  // Forget actors that are gone so that the list stays proportional to the
  // live ones.
  if (spawned_.size() >= 64 && (spawned_.size() & (spawned_.size() - 1)) == 0)
    spawned_.erase(std::remove_if(spawned_.begin(), spawned_.end(),
                                  [](const caf::weak_actor_ptr& p) {
                                    return p.lock() == nullptr;
                                  }),
                   spawned_.end());
  spawned_.push_back(caf::actor_cast<caf::weak_actor_ptr>(handle));
  return handle;
}

caf::error runtime::define(std::string type, actor_factory factory,
                           const actor_type_options& options) {
  return registry_->define(std::move(type), std::move(factory), options);
}

caf::expected<virtual_ref> runtime::ref(const std::string& type,
                                        const std::string& key) const {
  return registry_->ref(type, key);
}

// -- manual time --------------------------------------------------------------

void runtime::advance(clock::duration d, clock::duration step) {
  auto mc = manual_clock();
  if (mc == nullptr)
    throw std::logic_error("horae::runtime::advance requires manual time");
  if (step <= clock::duration::zero())
    step = d;
  auto sched = test_scheduler(*system_);
  while (d > clock::duration::zero()) {
    auto delta = std::min(step, d);
    mc->advance(delta);
    if (sched != nullptr)
      sched->advance_time(delta);
    run_until_idle();
    d -= delta;
  }
  run_until_idle();
}

size_t runtime::run_until_idle() {
  auto sched = test_scheduler(*system_);
  size_t total = 0;
  // The bound only stops a test whose actors message each other forever.
  for (size_t round = 0; round < 1'000'000; ++round) {
    size_t n = 0;
    for (auto& [type, svc] : services_)
      n += svc->poll();
    if (sched != nullptr)
      n += sched->run();
    total += n;
    if (n == 0 || sched == nullptr)
      break;
  }
  return total;
}

// -- shutdown -----------------------------------------------------------------

void runtime::shutdown() {
  if (stopped_)
    return;
  stopped_ = true;
  // Actors are still alive here, so whatever the services finish now (e.g.
  // write completions) reaches them ahead of their exit message.
  for (auto i = services_.rbegin(); i != services_.rend(); ++i)
    i->second->quiesce();
  if (registry_)
    registry_->shutdown();
  {
    std::lock_guard<std::mutex> guard{spawned_mtx_};
    for (auto& weak : spawned_)
      if (auto strong = weak.lock())
        caf::anon_send_exit(strong, caf::exit_reason::user_shutdown);
    spawned_.clear();
  }
  if (config_.manual_time && system_)
    run_until_idle();
  for (auto i = services_.rbegin(); i != services_.rend(); ++i)
    i->second->stop();
  // Gauges read services and the registry; nothing may read them anymore.
  metrics_.remove_gauges();
  if (system_) {
    if (auto sched = test_scheduler(*system_))
      sched->run();
    else
      system_->await_actors_before_shutdown(true);
  }
  system_.reset();
  services_.clear();
}

} // namespace horae
