// Per-thread caches of free timer entries, so that scheduling threads do not
// contend on one allocator lock for every timer.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "timer_service/entry_pool.hpp"

namespace horae::detail {

/// A cache of free entries plus the counters of the threads that use it.
///
/// A thread always picks the same cache (by a per-thread index), so with
/// at most `count` scheduling threads each has its own and the spin lock is
/// never contended; it exists only so that more threads than caches stay
/// correct. A refill moves a whole batch from the pool at once.
struct alignas(128) entry_cache {
  // -- constants --------------------------------------------------------------

  /// Number of caches per timer service (a power of two).
  static constexpr uint32_t count = 32;

  // -- state ------------------------------------------------------------------

  std::atomic<bool> busy{false};

  /// Free entries, owned by whoever holds `busy`.
  entry_chain free;

  /// Timers scheduled through this cache. Written only under `busy`, read
  /// without: an atomic load/store pair, not a read-modify-write.
  std::atomic<int64_t> scheduled{0};

  /// Timers cancelled by threads mapped to this cache.
  std::atomic<int64_t> cancelled{0};

  /// Timers owners queued behind their alarms, minus those that left the
  /// queue (see `timer_service::note_queued`); any thread adds to it.
  std::atomic<int64_t> queued{0};

  /// Queued timers that owners delivered.
  std::atomic<uint64_t> queued_fired{0};

  // -- member functions -------------------------------------------------------

  /// Takes one free entry and, unless it is for an alarm, counts it as
  /// scheduled.
  timer_entry* take(entry_pool& pool, bool counted) {
    lock();
    if (free.empty())
      free = pool.acquire();
    auto e = free.pop();
    if (counted)
      scheduled.store(scheduled.load(std::memory_order_relaxed) + 1,
                      std::memory_order_relaxed);
    unlock();
    return e;
  }

  void lock() noexcept {
    while (busy.exchange(true, std::memory_order_acquire))
      std::this_thread::yield();
  }

  void unlock() noexcept {
    busy.store(false, std::memory_order_release);
  }

  /// @returns the index of the calling thread's cache.
  static uint32_t index_of_this_thread() noexcept {
    // initial-exec: read at a fixed offset from the thread pointer instead of
    // through __tls_get_addr, which a shared library pays otherwise. The
    // variable is constant-initialized on purpose: a dynamic initializer
    // would add a guard variable of the default TLS model, and with it a
    // call to __tls_get_addr on every read.
    thread_local uint32_t index __attribute__((tls_model("initial-exec")))
    = unassigned;
    if (index == unassigned)
      index = assign_index();
    return index;
  }

private:
  static constexpr uint32_t unassigned = ~uint32_t{0};

  /// Hands threads their cache indexes in turn.
  static uint32_t assign_index() noexcept {
    static std::atomic<uint32_t> next_index{0};
    return next_index.fetch_add(1, std::memory_order_relaxed) & (count - 1);
  }
};

} // namespace horae::detail
