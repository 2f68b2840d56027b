// Validation of timer_service_config with messages that name the bad field.
#include <string>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/facets/timer_service_config.hpp>

namespace horae {

caf::error validate(const timer_service_config& cfg) {
  namespace d = defaults::timers;
  if (cfg.resolution < d::min_resolution || cfg.resolution > d::max_resolution)
    return make_error(errc::invalid_config,
                      "timer_service_config.resolution must be in ["
                        + format_duration(d::min_resolution) + ", "
                        + format_duration(d::max_resolution) + "], got "
                        + format_duration(cfg.resolution));
  auto s = cfg.slots_per_level;
  if (s < d::min_slots_per_level || s > d::max_slots_per_level
      || (s & (s - 1)) != 0)
    return make_error(errc::invalid_config,
                      "timer_service_config.slots_per_level must be a power "
                      "of two in ["
                        + std::to_string(d::min_slots_per_level) + ", "
                        + std::to_string(d::max_slots_per_level) + "], got "
                        + std::to_string(s));
  if (cfg.levels < d::min_levels || cfg.levels > d::max_levels)
    return make_error(errc::invalid_config,
                      "timer_service_config.levels must be in ["
                        + std::to_string(d::min_levels) + ", "
                        + std::to_string(d::max_levels) + "], got "
                        + std::to_string(cfg.levels));
  return caf::error{};
}

} // namespace horae
