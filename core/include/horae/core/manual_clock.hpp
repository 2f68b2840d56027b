// A clock that moves only when told to; tests drive every timer with it.
#pragma once

#include <atomic>

#include <horae/core/clock.hpp>

namespace horae {

/// A clock whose time changes only through `advance` or `set`.
///
/// Thread-safe: the timer thread may read it while a test advances it.
/// Starts at an arbitrary but fixed monotonic origin and at 2026-01-01T00:00Z
/// wall-clock time, so test output is reproducible.
class manual_clock final : public clock {
public:
  // -- constructors, destructors, and assignment operators --------------------

  manual_clock() noexcept;

  // -- observers --------------------------------------------------------------

  time_point now() const noexcept override;

  wall_time wall_now() const noexcept override;

  bool is_manual() const noexcept override;

  // -- modifiers --------------------------------------------------------------

  /// Moves both views of time forward by `d`.
  /// @pre `d >= duration::zero()`
  void advance(duration d) noexcept;

  /// Sets the wall-clock view to `t`, keeping monotonic time unchanged;
  /// simulates a process that restarts after `t - wall_now()` of downtime.
  void set_wall(wall_time t) noexcept;

private:
  std::atomic<int64_t> mono_ns_;
  std::atomic<int64_t> wall_offset_ns_;
};

} // namespace horae
