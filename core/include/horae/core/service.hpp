// A runtime-wide component with its own lifecycle (timer service, reminder
// service, ...). The runtime starts services in the order they were added and
// stops them in reverse order.
#pragma once

#include <cstddef>
#include <string_view>

namespace horae {

class runtime;

/// Base class of the components a runtime owns.
class service {
public:
  // -- constructors, destructors, and assignment operators --------------------

  virtual ~service();

  // -- observers --------------------------------------------------------------

  /// @returns a short name for logs and errors, e.g. "timer_service".
  virtual std::string_view name() const noexcept = 0;

  // -- lifecycle --------------------------------------------------------------

  /// Starts background work. Called once by the runtime after all services
  /// were added. With a manual clock, a service starts no thread and does its
  /// work in `poll` instead.
  virtual void start() = 0;

  /// Called at shutdown before any actor is stopped, in reverse order of
  /// addition: finishes work whose outcome actors still wait for, such as
  /// the completions of queued writes, while they can still receive it.
  virtual void quiesce() {
    // nop
  }

  /// Stops background work and releases resources. Called once, in reverse
  /// order of addition; must be safe to call when `start` was never called.
  virtual void stop() = 0;

  /// Does all work that is due at the clock's current time. The runtime calls
  /// this when a test advances a manual clock.
  /// @returns how many units of work were done (0 when idle).
  virtual size_t poll() {
    return 0;
  }
};

} // namespace horae
