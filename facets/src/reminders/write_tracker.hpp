// Tracks the reminder service's writes between store and caller: counts
// them in flight, queues their completions on manual time, and lets a
// shutdown wait for them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace horae::detail {

class write_tracker {
public:
  /// @param manual whether the runtime runs on manual time: completions then
  ///               wait in a queue for `poll`.
  explicit write_tracker(bool manual) : manual_(manual) {
    published();
  }

  /// Notes a write handed to the store.
  void begin() noexcept {
    seen_published();
    ++issued_;
  }

  /// Runs `fn` (real time) or queues it for `poll` (manual time); called on
  /// the store's thread once the write completed.
  void complete(std::function<void()> fn);

  /// Manual time: waits for every write in flight, then runs the queued
  /// completions. @returns how many ran.
  size_t poll();

  /// Waits until every write issued so far has completed, at most `bound`.
  /// @returns how many were still pending when the bound ran out.
  uint64_t drain(std::chrono::nanoseconds bound);

private:
  // Writers reach the tracker from actors, which got it through CAF's
  // mailboxes after it was built. ThreadSanitizer does not see that edge
  // (Debian's CAF is not instrumented), so these two state it: the
  // tracker is complete before any `begin`. No code outside such a build.
  void published() noexcept {
#if defined(__SANITIZE_THREAD__)
    __tsan_release(this);
#endif
  }

  void seen_published() noexcept {
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(this);
#endif
  }

  bool manual_;
  std::mutex mtx_;
  std::condition_variable cv_;
  /// Writes handed to the store, and writes whose completion has run.
  /// Atomic, so that a real-clock write takes no lock for them.
  std::atomic<uint64_t> issued_{0};
  std::atomic<uint64_t> finished_{0};
  /// Set by `drain`: a completion reaching it wakes the waiter.
  std::atomic<uint64_t> drain_target_{UINT64_MAX};
  std::vector<std::function<void()>> completed_;
};

/// What the dispatcher counts; read through `reminder_service`.
struct delivery_counters {
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> failed_attempts{0};
  std::atomic<uint64_t> dropped_fires{0};
  std::atomic<size_t> window_size{0};
  std::atomic<size_t> window_peak{0};

  /// The window now holds `n` reminders. Only the dispatcher writes.
  void note_window(size_t n) noexcept {
    window_size = n;
    if (n > window_peak.load(std::memory_order_relaxed))
      window_peak = n;
  }
};

} // namespace horae::detail
