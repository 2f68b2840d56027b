// How precisely a thread wakes up from a timed sleep: horae's threads and,
// unless configured otherwise, CAF's wake at the time they asked for.
#pragma once

#include <caf/thread_hook.hpp>

namespace horae::detail {

/// Lets the calling thread wake at the end of a timed sleep instead of up to
/// the kernel's timer slack later (50 us by default on Linux, where the
/// kernel delays wake-ups to batch them). Every fire and every message that
/// wakes a sleeping scheduler thread would otherwise carry that delay.
/// @returns whether the setting took effect (false off Linux).
bool wake_this_thread_precisely() noexcept;

/// Applies `wake_this_thread_precisely` to every thread the actor system
/// starts: scheduler workers, CAF's timer and I/O threads.
class precise_wakeups_hook : public caf::thread_hook {
public:
  void init(caf::actor_system&) override;

  void thread_started() override;

  void thread_terminates() override;
};

} // namespace horae::detail
