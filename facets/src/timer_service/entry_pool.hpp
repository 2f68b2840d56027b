// Slab allocator of timer entries: entries are carved from large aligned
// slabs and recycled in batches, so scheduling a timer never calls malloc.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "timer_service/timer_entry.hpp"

namespace horae::detail {

/// A singly linked chain of free entries (linked through `next`).
struct entry_chain {
  timer_entry* head = nullptr;
  timer_entry* tail = nullptr;
  size_t size = 0;

  void push(timer_entry* e) noexcept {
    e->next = head;
    head = e;
    if (tail == nullptr)
      tail = e;
    ++size;
  }

  timer_entry* pop() noexcept {
    auto e = head;
    head = e->next;
    if (head == nullptr)
      tail = nullptr;
    e->next = nullptr;
    --size;
    return e;
  }

  bool empty() const noexcept {
    return head == nullptr;
  }
};

/// Owns all entry memory of one timer service.
///
/// Threads never take single entries from here: per-thread caches grab a
/// batch of `batch_size` at a time and the timer thread gives freed entries
/// back in batches, so the pool's mutex is taken once per `batch_size`
/// timers. Slabs are only returned to the system by the destructor; this
/// keeps every handle's entry pointer dereferenceable for the service's
/// whole lifetime, which is what makes `cancel` with a stale handle safe.
class entry_pool {
public:
  // -- constants --------------------------------------------------------------

  /// Entries moved per refill or release.
  static constexpr size_t batch_size = 256;

  /// Entries in the first slab (64 KiB). Each further slab doubles up to
  /// `max_slab_size` (2 MiB). Slabs are mapped directly from the kernel, so
  /// there is no allocator header, and carved lazily, so only the part in
  /// use is resident: a pending timer costs 64 bytes, not more.
  static constexpr size_t min_slab_size = 1024;

  /// Upper bound on entries per slab.
  static constexpr size_t max_slab_size = 32768;

  // -- constructors, destructors, and assignment operators --------------------

  entry_pool() = default;

  entry_pool(const entry_pool&) = delete;
  entry_pool& operator=(const entry_pool&) = delete;

  /// Destroys every entry (dropping any weak actor reference left) and frees
  /// all slabs.
  ~entry_pool();

  // -- modifiers --------------------------------------------------------------

  /// @returns up to `batch_size` free entries, never empty.
  entry_chain acquire();

  /// Returns free entries to the pool. The chain may have any length.
  void release(entry_chain chain);

private:
  struct slab {
    timer_entry* base;
    size_t capacity;
  };

  // Constructs the next batch of entries in the current slab. Carving lazily
  // leaves the untouched rest of a fresh slab unmapped (not resident).
  entry_chain carve();

  mutable std::mutex mtx_;
  std::vector<entry_chain> free_;
  std::vector<slab> slabs_;
  size_t carved_ = 0; // entries constructed in slabs_.back()
};

/// Collects freed entries and hands them to the pool in `batch_size` chunks.
/// Owned by one thread at a time.
class entry_recycler {
public:
  explicit entry_recycler(entry_pool& pool) noexcept : pool_(pool) {
    // nop
  }

  entry_recycler(const entry_recycler&) = delete;
  entry_recycler& operator=(const entry_recycler&) = delete;

  ~entry_recycler() {
    flush();
  }

  /// Resets `e` for its next use and queues it for the pool. Bumps the
  /// generation first, so that handles to the old timer stop matching.
  void recycle(timer_entry* e) noexcept;

  /// Hands everything collected so far to the pool.
  void flush();

private:
  entry_pool& pool_;
  entry_chain chain_;
};

} // namespace horae::detail
