// Validation of timer_service_config with messages that name the bad field.
#include <string>

#include <horae/core/error.hpp>
#include <horae/facets/timer_service_config.hpp>

namespace horae {

caf::error validate(const timer_service_config& cfg) {
  if (cfg.resolution <= clock::duration::zero())
    return make_error(errc::invalid_config,
                      "timer_service_config.resolution must be > 0, got "
                        + std::to_string(cfg.resolution.count()) + "ns");
  auto s = cfg.slots_per_level;
  if (s < 16 || s > 4096 || (s & (s - 1)) != 0)
    return make_error(errc::invalid_config,
                      "timer_service_config.slots_per_level must be a power "
                      "of two in [16, 4096], got "
                        + std::to_string(s));
  if (cfg.levels < 1 || cfg.levels > 8)
    return make_error(errc::invalid_config,
                      "timer_service_config.levels must be in [1, 8], got "
                        + std::to_string(cfg.levels));
  return caf::error{};
}

} // namespace horae
