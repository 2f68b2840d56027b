// The timer service's thread: sleeps until the wheel's next event and is
// woken early only when a producer schedules something earlier.
#include <chrono>

#include <horae/core/detail/thread_wakeups.hpp>

#include "timer_service/timer_service_impl.hpp"

namespace horae::detail {

// How the thread and producers avoid lost wake-ups without a lock per timer:
//
//   timer thread                          producer
//   ------------                          --------
//   sleep_until_ = T          (seq_cst)   queue_.push(cmd)          (seq_cst)
//   queue_.empty()?           (seq_cst)   deadline < sleep_until_?  (seq_cst)
//   wait_until(T) unless wake_requested_  if so: request_wake()
//
// Under sequential consistency either the thread sees the new command (and
// polls again instead of sleeping) or the producer sees T (and wakes the
// thread if its deadline is earlier). request_wake sets the flag before
// taking the mutex, and the thread checks the flag under the mutex, so a
// notification cannot slip in between check and wait. While the thread is
// awake, `sleep_until_ == awake` and producers skip the check entirely.

void timer_service_impl::start_thread() {
  if (thread_.joinable())
    return;
  thread_ = std::thread{[this] { run(); }};
}

void timer_service_impl::stop_thread() {
  {
    std::lock_guard<std::mutex> guard{wake_mtx_};
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
  sleep_until_.store(awake);
}

void timer_service_impl::run() {
  using steady = std::chrono::steady_clock;
  // The kernel's timer slack would add to the lateness of every fire. This
  // thread sleeps until the next due timer at most once per wheel tick, so
  // waking exactly costs nothing worth saving; the setting is not optional.
  static_cast<void>(wake_this_thread_precisely());
  for (;;) {
    sleep_until_.store(awake, std::memory_order_seq_cst);
    wake_requested_.store(false, std::memory_order_seq_cst);
    int64_t next = idle;
    poll(&next);
    sleep_until_.store(next, std::memory_order_seq_cst);
    {
      // The pop side of the queue belongs to the poll lock holder.
      std::lock_guard<std::mutex> guard{poll_mtx_};
      if (!queue_.empty())
        continue;
    }
    std::unique_lock<std::mutex> guard{wake_mtx_};
    auto woken = [this] {
      return stopping_ || wake_requested_.load(std::memory_order_acquire);
    };
    if (woken()) {
      if (stopping_)
        return;
      continue;
    }
    if (next == idle) {
      wake_cv_.wait(guard, woken);
    } else {
      auto deadline = steady::time_point{
        std::chrono::duration_cast<steady::duration>(clock::duration{next})};
      wake_cv_.wait_until(guard, deadline, woken);
    }
    if (stopping_)
      return;
  }
}

} // namespace horae::detail
