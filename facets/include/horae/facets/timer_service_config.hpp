// Tuning knobs of the timer service's hierarchical timing wheel and the
// function that checks them before a service is built.
#pragma once

#include <chrono>
#include <cstdint>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Shape of the timing wheel behind a `timer_service`.
///
/// The wheel covers `resolution * slots_per_level^levels` (minus one top-level
/// slot of slack, see `timer_service::max_delay`); the defaults give 1 ms
/// granularity over about 49 days.
struct timer_service_config {
  /// Length of one tick. Deadlines are rounded *up* to a tick boundary, so a
  /// timer fires at most one resolution late and never early. Must be > 0.
  clock::duration resolution = std::chrono::milliseconds(1);

  /// Slots per wheel level; a power of two in [16, 4096].
  uint32_t slots_per_level = 256;

  /// Number of wheel levels, in [1, 8].
  uint32_t levels = 4;
};

/// Checks `cfg`.
/// @returns a default-constructed error if `cfg` is usable, otherwise an
///          `errc::invalid_config` error whose context names the offending
///          field, its value and the allowed range.
caf::error validate(const timer_service_config& cfg);

} // namespace horae
