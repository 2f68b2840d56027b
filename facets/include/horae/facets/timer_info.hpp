// What timer_facet::list reports about one pending timer.
#pragma once

#include <cstdint>
#include <string>

#include <horae/core/clock.hpp>

namespace horae {

/// How a periodic timer schedules its next tick.
enum class timer_mode : uint8_t {
  /// Tick n (from 1) is due at start + initial_delay + (n - 1) * interval;
  /// no drift.
  fixed_rate,
  /// Each tick is due one interval after the previous one was handled.
  fixed_delay,
};

/// @returns "fixed_rate" or "fixed_delay".
const char* to_string(timer_mode x) noexcept;

/// A snapshot of one pending timer.
struct timer_info {
  std::string name;
  bool periodic = false;
  timer_mode mode = timer_mode::fixed_rate;
  clock::duration interval{0};
  /// When the next fire is due.
  clock::time_point next_due;
  /// Ticks delivered so far (including coalesced ones).
  uint64_t ticks = 0;
  /// Whether the timer delivers a user payload instead of `timer_fired`.
  bool has_payload = false;
};

} // namespace horae
