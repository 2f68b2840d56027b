// Options, store opening and facet factory of the reminders module.
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/defaults.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_ownership.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timer_service.hpp>
#include <horae/journaling/partition.hpp>

#include "reminders/store_choice.hpp"
#include <spdlog/spdlog.h>

namespace horae {

module reminders_module() {
  namespace d = defaults::reminders;
  auto count = [](size_t x) { return static_cast<int64_t>(x); };
  const failure_policy on_failure; // its member defaults are the module's
  module mod;
  mod.name = "reminders";
  mod.options = {
    option_spec::duration("horae.reminders.lookahead", d::lookahead,
                          d::min_lookahead, d::max_lookahead,
                          "reminders due within this window are held in "
                          "memory"),
    option_spec::integer("horae.reminders.load-batch", count(d::load_batch), 1,
                         count(d::max_load_batch),
                         "most reminders read per window refill"),
    option_spec::duration("horae.reminders.min-period", d::min_period,
                          d::min_min_period, d::max_min_period,
                          "shortest period a reminder may have"),
    option_spec::integer("horae.reminders.max-delivery-rate",
                         count(d::max_delivery_rate), 1,
                         count(d::max_max_delivery_rate),
                         "most reminder deliveries per second (limits the "
                         "stampede after a cold start)"),
    option_spec::duration("horae.reminders.ack-timeout", d::ack_timeout,
                          d::min_ack_timeout, d::max_ack_timeout,
                          "deliver again if a fire has not reached its "
                          "actor's behaviour within this time"),
    option_spec::integer("horae.reminders.max-window", count(d::max_window), 1,
                         count(d::max_max_window),
                         "most reminders held in memory at once, however "
                         "large the backlog in the store"),
    option_spec::integer("horae.reminders.failure.max-retries",
                         on_failure.max_retries, 0, max_failure_retries,
                         "further attempts of a fire whose delivery failed"),
    option_spec::duration("horae.reminders.failure.retry-delay",
                          on_failure.retry_delay, std::chrono::milliseconds{1},
                          max_failure_retry_delay,
                          "pause before the first retry; doubles with each "
                          "further retry"),
    option_spec::duration("horae.reminders.failure.max-retry-delay",
                          on_failure.max_retry_delay,
                          std::chrono::milliseconds{1}, max_failure_retry_delay,
                          "longest pause between two attempts"),
    option_spec::string("horae.reminders.failure.then",
                        to_string(on_failure.then),
                        "what follows the last retry: drop the fire or "
                        "retry_forever",
                        {to_string(exhausted_action::drop),
                         to_string(exhausted_action::retry_forever)}),
    option_spec::integer(
      "horae.reminders.max-payload-bytes", count(d::max_payload_bytes), 0,
      count(d::max_max_payload_bytes), "largest reminder payload"),
  };
  for (auto& spec : detail::store_options())
    mod.options.push_back(std::move(spec));
  facet_descriptor desc;
  desc.name = std::string{reminder_facet::facet_name};
  desc.make
    = [](runtime&,
         const caf::settings&) -> caf::expected<std::unique_ptr<facet>> {
    return std::make_unique<reminder_facet>();
  };
  mod.facets.push_back(std::move(desc));
  mod.install = [](runtime& rt) -> caf::error {
    if (rt.find_service<timer_service>() == nullptr)
      return make_error(errc::invalid_config,
                        "the reminders module needs the timers module; add "
                        "horae::timers_module() before "
                        "horae::reminders_module()");
    const auto& cfg = rt.configuration();
    reminder_service_config rcfg;
    rcfg.lookahead = cfg.get_duration("horae.reminders.lookahead");
    rcfg.load_batch
      = static_cast<size_t>(cfg.get_int("horae.reminders.load-batch"));
    rcfg.min_period = cfg.get_duration("horae.reminders.min-period");
    rcfg.max_delivery_rate
      = static_cast<uint64_t>(cfg.get_int("horae.reminders.max-delivery-rate"));
    rcfg.ack_timeout = cfg.get_duration("horae.reminders.ack-timeout");
    rcfg.max_window
      = static_cast<size_t>(cfg.get_int("horae.reminders.max-window"));
    rcfg.on_failure.max_retries = static_cast<uint32_t>(
      cfg.get_int("horae.reminders.failure.max-retries"));
    rcfg.on_failure.retry_delay
      = cfg.get_duration("horae.reminders.failure.retry-delay");
    rcfg.on_failure.max_retry_delay
      = cfg.get_duration("horae.reminders.failure.max-retry-delay");
    if (auto then = exhausted_action_from_string(
          cfg.get_string("horae.reminders.failure.then")))
      rcfg.on_failure.then = *then;
    if (auto err = validate(rcfg.on_failure))
      return make_error(errc::invalid_config,
                        cfg.source()
                          + ": horae.reminders.failure: " + describe(err));
    rcfg.max_payload_bytes
      = static_cast<size_t>(cfg.get_int("horae.reminders.max-payload-bytes"));
    // Shutdown waits this long (plus a margin) for queued writes.
    rcfg.busy_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      cfg.get_duration(cfg.get_string("horae.reminders.store") == "postgres"
                         ? "horae.reminders.postgres.statement-timeout"
                         : "horae.reminders.busy-timeout"));
    // Group commit, as Prometheus sees it: latency and size of each batch.
    auto& m = rt.metrics();
    auto& commit_latency = m.add_histogram(
      "horae_reminder_store_commit_seconds",
      "time of one group commit of the reminder store, up to its COMMIT",
      {std::chrono::microseconds{100}, std::chrono::milliseconds{1},
       std::chrono::milliseconds{5}, std::chrono::milliseconds{20},
       std::chrono::milliseconds{100}, std::chrono::seconds{1}});
    auto& commits = m.add_counter("horae_reminder_store_commits_total",
                                  "group commits of the reminder store");
    auto& committed = m.add_counter(
      "horae_reminder_store_committed_writes_total",
      "writes committed by the reminder store (their sum over commits)");
    auto on_commit = [&commit_latency, &commits,
                      &committed](size_t n, clock::duration took) {
      commit_latency.observe(took);
      commits.add();
      committed.add(n);
    };
    // A cluster module installed before this one shares out the reminders.
    auto* cluster = rt.find_service<reminder_ownership>();
    if (cluster != nullptr)
      rcfg.owns = [cluster](const reminder_key& key) {
        return cluster
          ->epoch_of(
            partition_of(key.actor_type, key.actor_key, cluster->partitions()))
          .has_value();
      };
    auto store = detail::open_configured_store(cfg, rt.clock(), on_commit,
                                               rcfg.db_path, cluster);
    if (!store)
      return store.error();
    auto& svc = rt.add_service<reminder_service>(rt, std::move(*store),
                                                 std::move(rcfg));
    m.add_gauge("horae_reminders_window",
                "reminders held in memory by the dispatcher now",
                [&svc] { return static_cast<double>(svc.window_size()); });
    m.add_counter_reader(
      "horae_reminders_delivered_total",
      "reminder fires handed to their actors, redeliveries included",
      [&svc] { return static_cast<double>(svc.delivered()); });
    m.add_counter_reader(
      "horae_reminders_failed_attempts_total",
      "deliveries that failed (unhandled, threw, activation ended, lost)",
      [&svc] { return static_cast<double>(svc.failed_attempts()); });
    m.add_counter_reader(
      "horae_reminders_dropped_total", "fires given up by their failure policy",
      [&svc] { return static_cast<double>(svc.dropped_fires()); });
    return caf::none;
  };
  return mod;
}

} // namespace horae
