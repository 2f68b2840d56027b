// The time source of a runtime. Every horae component reads time through a
// clock so that tests can substitute a manual clock and never sleep.
#pragma once

#include <chrono>

namespace horae {

/// Abstract time source with a monotonic and a wall-clock view.
///
/// Monotonic time drives timers; wall-clock time is what persisted reminders
/// store, because it survives a restart. Both advance together.
class clock {
public:
  // -- member types -----------------------------------------------------------

  using duration = std::chrono::nanoseconds;

  /// Monotonic time, used for in-memory deadlines.
  using time_point
    = std::chrono::time_point<std::chrono::steady_clock, duration>;

  /// Wall-clock time, used for persisted due times.
  using wall_time
    = std::chrono::time_point<std::chrono::system_clock, duration>;

  // -- constructors, destructors, and assignment operators --------------------

  virtual ~clock();

  // -- observers --------------------------------------------------------------

  /// @returns the current monotonic time.
  virtual time_point now() const noexcept = 0;

  /// @returns the current wall-clock time.
  virtual wall_time wall_now() const noexcept = 0;

  /// @returns whether time only moves when a test advances it.
  virtual bool is_manual() const noexcept = 0;

  /// Converts a wall-clock instant into the monotonic timeline, assuming the
  /// offset between the two views is the current one.
  time_point to_monotonic(wall_time t) const noexcept {
    return now() + (t - wall_now());
  }
};

/// The real clock: std::chrono::steady_clock and std::chrono::system_clock.
class system_clock final : public clock {
public:
  time_point now() const noexcept override;
  wall_time wall_now() const noexcept override;
  bool is_manual() const noexcept override;
};

} // namespace horae
