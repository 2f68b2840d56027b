// Timer slack: see detail/thread_wakeups.hpp.
#include <horae/core/detail/thread_wakeups.hpp>

#ifdef __linux__
#include <sys/prctl.h>
#endif

namespace horae::detail {

bool wake_this_thread_precisely() noexcept {
#ifdef __linux__
  // 1 ns is the smallest slack; 0 would mean "back to the default".
  return ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) == 0;
#else
  return false;
#endif
}

void precise_wakeups_hook::init(caf::actor_system&) {
  // nop
}

void precise_wakeups_hook::thread_started() {
  // A thread that keeps the default slack is correct, only later.
  static_cast<void>(wake_this_thread_precisely());
}

void precise_wakeups_hook::thread_terminates() {
  // nop
}

} // namespace horae::detail
