// State of a timer service, shared by the scheduling side
// (timer_service.cpp), the consumer side (timer_service_impl.cpp) and the
// thread driver (timer_thread.cpp).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <thread>

#include <horae/core/clock.hpp>
#include <horae/facets/timer_service_config.hpp>

#include "timer_service/entry_cache.hpp"
#include "timer_service/entry_pool.hpp"
#include "timer_service/mpsc_queue.hpp"
#include "timer_service/timing_wheel.hpp"

namespace horae::detail {

/// Everything behind `horae::timer_service`.
///
/// Threads and what they own:
/// - any thread: `queue_` (push side), `caches_`, the atomics;
/// - the holder of `poll_mtx_` (timer thread or a `poll` caller): the wheel,
///   the queue's pop side and `recycler_`;
/// - `wake_mtx_`/`wake_cv_`: only for the timer thread's sleep.
class timer_service_impl {
public:
  // -- constants --------------------------------------------------------------

  /// `sleep_until_` while the timer thread is awake: no producer needs to
  /// wake it.
  static constexpr int64_t awake = std::numeric_limits<int64_t>::min();

  /// `sleep_until_` while the timer thread sleeps without a deadline.
  static constexpr int64_t idle = std::numeric_limits<int64_t>::max();

  /// A thread that pushed this many commands without waking the timer
  /// thread wakes it anyway, which bounds the backlog of unprocessed
  /// cancels (and the memory they pin) while the wheel sleeps for long.
  static constexpr uint32_t backlog_wake_interval = 4096;

  // -- constructors, destructors, and assignment operators --------------------

  timer_service_impl(clock& clk, timer_service_config cfg);

  ~timer_service_impl();

  // -- producer side (timer_service.cpp) --------------------------------------

  clock& clk_;
  timer_service_config cfg_;
  clock::duration max_delay_;
  entry_pool pool_;
  std::array<entry_cache, entry_cache::count> caches_;

  /// @returns the calling thread's cache.
  entry_cache& own_cache() noexcept {
    return caches_[entry_cache::index_of_this_thread()];
  }
  mpsc_queue queue_;
  std::atomic<bool> closed_{false};

  /// Monotonic ns the timer thread sleeps until; `awake` or `idle` otherwise.
  std::atomic<int64_t> sleep_until_{awake};

  /// Set by the producer that wakes the timer thread; further producers see
  /// it set and skip the mutex.
  std::atomic<bool> wake_requested_{false};

  /// Counts a command pushed by this thread; wakes the timer thread every
  /// `backlog_wake_interval` commands.
  void note_command() noexcept;

  /// A clock reading no later than now, refreshed by every poll: enough to
  /// accept almost every deadline without reading the clock per timer.
  std::atomic<int64_t> recent_now_{0};

  /// @returns whether `deadline` is at most `max_delay_` ahead of now.
  bool within_range(clock::time_point deadline) noexcept {
    // recent_now_ <= now, so passing against it passes against now; only a
    // deadline that looks too far reads the clock.
    auto max = max_delay_.count();
    auto ns = deadline.time_since_epoch().count();
    if (ns - recent_now_.load(std::memory_order_relaxed) <= max)
      return true;
    auto now = clk_.now().time_since_epoch().count();
    recent_now_.store(now, std::memory_order_relaxed);
    return ns - now <= max;
  }

  /// Wakes the timer thread; at most one mutex acquisition per sleep.
  void request_wake() noexcept;

  // -- consumer side (timer_service_impl.cpp) ---------------------------------

  /// Drains commands, advances the wheel to now and delivers due timers.
  /// @param next_wake receives the monotonic ns of the next event, or `idle`.
  /// @returns the number of timers that fell due.
  size_t poll(int64_t* next_wake = nullptr);

  /// Frees every pending and queued timer without delivering it.
  void drop_all();

  /// @returns timers that fell due or were dropped, ever.
  int64_t retired() const noexcept {
    return retired_.load(std::memory_order_relaxed);
  }

  /// @returns timers delivered to their actors, ever.
  uint64_t fired() const noexcept {
    return fired_.load(std::memory_order_relaxed);
  }

  /// Reported by the facets (timer_service::note_*).
  std::atomic<uint64_t> stale_fires_{0};
  std::atomic<uint64_t> coalesced_ticks_{0};

  // -- timer thread (timer_thread.cpp) ----------------------------------------

  void start_thread();

  void stop_thread();

private:
  // Applies all queued commands. Requires `poll_mtx_`.
  void drain_commands();

  void run();

  std::mutex poll_mtx_;
  timing_wheel wheel_;
  entry_recycler recycler_;
  std::atomic<int64_t> retired_{0};
  /// Timers delivered to their actors, ever.
  std::atomic<uint64_t> fired_{0};

  std::mutex wake_mtx_;
  std::condition_variable wake_cv_;
  bool stopping_ = false; // guarded by wake_mtx_
  std::thread thread_;
};

} // namespace horae::detail
