// Scheduler threads wake when their sleep ends if configured so; the timer
// service's thread always does.
#include <future>
#include <thread>

#include <caf/scoped_actor.hpp>

#include <horae/core/detail/thread_wakeups.hpp>
#include <horae/core/runtime.hpp>

#include <gtest/gtest.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

using namespace horae;

namespace {

#ifdef __linux__

/// The calling thread's timer slack in nanoseconds.
long timer_slack() {
  return ::prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
}

/// The timer slack of the scheduler thread that runs an actor of a real-time
/// runtime configured with `precise`.
long slack_seen_by_an_actor(bool precise) {
  config cfg;
  cfg.set("horae.scheduler.precise-wakeups", caf::config_value{precise});
  auto made = runtime::make(std::move(cfg));
  EXPECT_TRUE(made);
  if (!made)
    return -1;
  auto rt = std::move(*made);
  std::promise<long> seen;
  auto probe = rt->spawn([&seen](actor*) -> caf::behavior {
    return {[&seen](int) { seen.set_value(timer_slack()); }};
  });
  caf::anon_send(probe, 1);
  auto result = seen.get_future().get();
  rt->shutdown();
  return result;
}

#endif

} // namespace

#ifdef __linux__

TEST(ThreadWakeups, SettingTakesEffectOnTheCallingThreadOnly) {
  long before = 0;
  long after = 0;
  long other = 0;
  std::thread t{[&] {
    before = timer_slack();
    EXPECT_TRUE(detail::wake_this_thread_precisely());
    after = timer_slack();
  }};
  t.join();
  std::thread u{[&] { other = timer_slack(); }};
  u.join();
  EXPECT_GT(before, 1);
  EXPECT_EQ(after, 1);
  EXPECT_EQ(other, before);
}

TEST(ThreadWakeups, SchedulerThreadsWakePreciselyWhenConfigured) {
  EXPECT_EQ(slack_seen_by_an_actor(true), 1);
}

TEST(ThreadWakeups, SchedulerThreadsKeepTheKernelDefaultByDefault) {
  config defaults;
  EXPECT_FALSE(defaults.get_bool("horae.scheduler.precise-wakeups"));
  EXPECT_GT(slack_seen_by_an_actor(false), 1);
}

#endif
