// Tuning knobs of the timer service's hierarchical timing wheel and the
// function that checks them before a service is built.
#pragma once

#include <chrono>
#include <cstdint>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>
#include <horae/facets/defaults.hpp>

namespace horae {

/// Shape of the timing wheel behind a `timer_service`.
///
/// The wheel covers `resolution * (slots_per_level^levels - 1)` (see
/// `timer_service::max_delay`); the defaults give 1 ms granularity over
/// about 49 days. Longer timers hop (see `timer_facet::max_delay`).
struct timer_service_config {
  /// Length of one tick. Deadlines are rounded *up* to a tick boundary, so a
  /// timer fires at most one resolution late and never early. Must be > 0.
  clock::duration resolution = defaults::timers::resolution;

  /// Slots per wheel level; a power of two within the bounds in defaults.
  uint32_t slots_per_level = defaults::timers::slots_per_level;

  /// Number of wheel levels, within the bounds in defaults.
  uint32_t levels = defaults::timers::levels;
};

/// Checks `cfg`.
/// @returns a default-constructed error if `cfg` is usable, otherwise an
///          `errc::invalid_config` error whose context names the offending
///          field, its value and the allowed range.
caf::error validate(const timer_service_config& cfg);

} // namespace horae
