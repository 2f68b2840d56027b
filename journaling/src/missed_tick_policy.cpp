// Names of the missed-tick policies, as used in configuration and tools.
#include <horae/core/error.hpp>
#include <horae/journaling/missed_tick_policy.hpp>

namespace horae {

const char* to_string(missed_tick_policy x) noexcept {
  switch (x) {
    case missed_tick_policy::fire_once:
      return "fire_once";
    case missed_tick_policy::skip:
      return "skip";
    case missed_tick_policy::catch_up:
      return "catch_up";
  }
  return "invalid";
}

caf::expected<missed_tick_policy> from_string(const std::string& str) {
  for (auto x : {missed_tick_policy::fire_once, missed_tick_policy::skip,
                 missed_tick_policy::catch_up})
    if (str == to_string(x))
      return x;
  return make_error(errc::invalid_argument,
                    "unknown missed-tick policy \"" + str
                      + "\" (expected fire_once, skip or catch_up)");
}

bool is_valid(missed_tick_policy x) noexcept {
  return static_cast<uint8_t>(x)
         <= static_cast<uint8_t>(missed_tick_policy::catch_up);
}

} // namespace horae
