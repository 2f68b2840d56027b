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
/// Every thread that schedules or counts timers gets a cache index of its
/// own (`index_of_this_thread`), the same for every timer service, and
/// gives it back when it exits. While fewer than `count` such threads are
/// alive, a cache is *exclusive*: only its thread touches its free list,
/// and its counters are updated with a plain load and store, no lock and
/// no read-modify-write. Threads beyond that share the last cache, which
/// its spin lock and atomic additions keep correct. A refill moves a whole
/// batch from the pool at once.
struct alignas(128) entry_cache {
  // -- constants --------------------------------------------------------------

  /// Number of caches per timer service (a power of two).
  static constexpr uint32_t count = 32;

  /// The cache every thread beyond the first `count - 1` shares.
  static constexpr uint32_t shared_index = count - 1;

  // -- state ------------------------------------------------------------------

  /// Set on the cache at `shared_index` (by the service that owns the
  /// caches): threads beyond the exclusive caches share it.
  bool shared = false;

  std::atomic<bool> busy{false};

  /// Free entries, owned by the cache's thread, or by whoever holds `busy`
  /// for the shared cache.
  entry_chain free;

  /// Timers scheduled through this cache. Written by the owner only, read
  /// by any thread.
  std::atomic<int64_t> scheduled{0};

  /// Timers cancelled by threads mapped to this cache.
  std::atomic<int64_t> cancelled{0};

  /// Timers owners queued behind their alarms, minus those that left the
  /// queue (see `timer_service::note_queued`).
  std::atomic<int64_t> queued{0};

  /// Queued timers that owners delivered.
  std::atomic<int64_t> queued_fired{0};

  // -- member functions -------------------------------------------------------

  /// Takes one free entry and, unless it is for an alarm, counts it as
  /// scheduled. Called by the cache's thread (any thread for the shared
  /// cache).
  timer_entry* take(entry_pool& pool, bool counted) {
    if (shared)
      lock();
    if (free.empty())
      free = pool.acquire();
    auto e = free.pop();
    if (counted)
      add(scheduled, 1);
    if (shared)
      unlock();
    return e;
  }

  /// Adds `delta` to one of this cache's counters, from the cache's thread
  /// (any thread for the shared cache).
  void add(std::atomic<int64_t>& counter, int64_t delta) const noexcept {
    if (shared)
      counter.fetch_add(delta, std::memory_order_relaxed);
    else
      counter.store(counter.load(std::memory_order_relaxed) + delta,
                    std::memory_order_relaxed);
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
      index = claim_index(&index);
    return index;
  }

private:
  static constexpr uint32_t unassigned = ~uint32_t{0};

  /// Hands the calling thread a free exclusive index, or `shared_index`
  /// when none is left, and arranges for the index to be given back when
  /// the thread exits; `slot` is then set to `shared_index` for whatever
  /// the thread still does while it ends (entry_cache.cpp).
  static uint32_t claim_index(uint32_t* slot) noexcept;
};

} // namespace horae::detail
