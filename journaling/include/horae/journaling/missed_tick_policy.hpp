// What a periodic reminder does with the ticks that fell due while nobody
// could deliver them (process down, actor busy).
#pragma once

#include <cstdint>
#include <string>

#include <caf/expected.hpp>

namespace horae {

/// Decides how ticks missed during downtime are delivered. The numeric
/// values are persisted and must never change.
enum class missed_tick_policy : uint8_t {
  /// One fire carrying the number of missed ticks, then back on the grid.
  fire_once = 0,
  /// No fire for the missed ticks; the next grid point is the next fire.
  skip = 1,
  /// Every missed tick is delivered (rate limited by the facet).
  catch_up = 2,
};

/// @returns the enumerator's name, e.g. "fire_once".
const char* to_string(missed_tick_policy x) noexcept;

/// Parses the name produced by `to_string`.
/// @returns the policy or `errc::invalid_argument` naming the bad input.
caf::expected<missed_tick_policy> from_string(const std::string& str);

/// @returns whether `x` is a numeric value this build knows, e.g. after
///          reading it back from storage.
bool is_valid(missed_tick_policy x) noexcept;

} // namespace horae
