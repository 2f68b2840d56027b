// Options, service installation and facet factory of the timers module.
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/defaults.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_service.hpp>
#include <horae/facets/timers_module.hpp>

namespace horae {

module timers_module() {
  using namespace std::chrono_literals;
  module mod;
  mod.name = "timers";
  namespace d = defaults::timers;
  mod.options = {
    option_spec::duration("horae.timers.resolution", d::resolution,
                          d::min_resolution, d::max_resolution,
                          "tick length of the timing wheel"),
    option_spec::integer("horae.timers.slots-per-level", d::slots_per_level,
                         d::min_slots_per_level, d::max_slots_per_level,
                         "slots per wheel level (a power of two)"),
    option_spec::integer("horae.timers.levels", d::levels, d::min_levels,
                         d::max_levels,
                         "levels of the timing wheel; the range is "
                         "resolution * (slots-per-level^levels - 1)"),
  };
  facet_descriptor desc;
  desc.name = std::string{timer_facet::facet_name};
  desc.settings
    = {option_spec::integer("max-timers", static_cast<int64_t>(d::max_timers),
                            1, static_cast<int64_t>(d::max_max_timers),
                            "most timers one actor may have at once")};
  desc.make =
    [](runtime&,
       const caf::settings& settings) -> caf::expected<std::unique_ptr<facet>> {
    auto max = caf::get_or(settings, "max-timers",
                           static_cast<int64_t>(d::max_timers));
    return std::make_unique<timer_facet>(static_cast<size_t>(max));
  };
  mod.facets.push_back(std::move(desc));
  mod.install = [](runtime& rt) -> caf::error {
    const auto& cfg = rt.configuration();
    timer_service_config wheel;
    wheel.resolution = cfg.get_duration("horae.timers.resolution");
    wheel.slots_per_level
      = static_cast<uint32_t>(cfg.get_int("horae.timers.slots-per-level"));
    wheel.levels = static_cast<uint32_t>(cfg.get_int("horae.timers.levels"));
    if (auto err = validate(wheel))
      return make_error(errc::invalid_config,
                        cfg.source() + ": " + describe(err));
    auto& svc = rt.add_service<timer_service>(rt.clock(), wheel);
    rt.metrics().add_gauge(
      "horae_timers_pending",
      "timers scheduled and neither fired nor cancelled",
      [&svc] { return static_cast<double>(svc.pending()); });
    rt.metrics().add_counter_reader(
      "horae_timers_fired_total", "timers that fell due and were delivered",
      [&svc] { return static_cast<double>(svc.fired()); });
    rt.metrics().add_counter_reader(
      "horae_timer_stale_fires_dropped_total",
      "fires of cancelled or replaced timers dropped before the behaviour",
      [&svc] { return static_cast<double>(svc.stale_fires()); });
    rt.metrics().add_counter_reader(
      "horae_timer_ticks_coalesced_total",
      "periodic ticks folded into a later fire because one was still queued",
      [&svc] { return static_cast<double>(svc.coalesced_ticks()); });
    return caf::none;
  };
  return mod;
}

} // namespace horae
