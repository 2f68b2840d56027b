// The 64-byte record behind every scheduled timer. Entries live in slabs
// (entry_pool) and are recycled, never individually allocated.
#pragma once

#include <atomic>
#include <cstdint>

#include <caf/actor_control_block.hpp>

namespace horae::detail {

/// Link of the intrusive command queue (mpsc_queue).
struct mpsc_node {
  std::atomic<mpsc_node*> next{nullptr};
};

/// Lifecycle of an entry, kept in the low bits of `timer_entry::state`.
enum class timer_status : uint32_t {
  /// In a free list or per-thread cache.
  free = 0,
  /// Scheduled; neither fired nor cancelled yet.
  pending = 1,
  /// Claimed by the timer thread for delivery (or dropped at stop).
  fired = 2,
  /// Claimed by `cancel`; the cancel command frees the entry.
  cancelled = 3,
};

/// One timer. Exactly one cache line: that is the whole memory cost of a
/// pending timer (slab overhead is amortized over thousands of entries).
///
/// Ownership rules, which make every field except `state` single-owner:
/// - the scheduling thread writes `deadline`, `cookie` and `target` before it
///   pushes `schedule_node`; the push publishes them to the timer thread;
/// - `next`/`pprev` belong to whoever owns the entry's list (free list,
///   wheel slot, fire batch);
/// - `state` is the only field touched concurrently: `cancel` and the timer
///   thread race on it with a compare-and-swap that includes the generation.
struct alignas(64) timer_entry {
  // -- list links -------------------------------------------------------------

  /// Next entry in a wheel slot, fire batch or free list.
  timer_entry* next = nullptr;

  /// Address of the pointer that points to this entry while it sits in the
  /// wheel (hlist style, so unlinking needs no slot index); null otherwise.
  timer_entry** pprev = nullptr;

  // -- shared state -----------------------------------------------------------

  /// `generation << 32 | timer_status`. The generation grows every time the
  /// entry is freed, which turns stale handles into harmless no-ops.
  std::atomic<uint64_t> state{0};

  // -- payload ----------------------------------------------------------------

  /// Deadline in nanoseconds of the monotonic clock.
  int64_t deadline = 0;

  /// Opaque value delivered in `timer_due::cookie`.
  uint64_t cookie = 0;

  /// Weak reference: a pending timer never keeps its actor alive.
  caf::weak_actor_ptr target;

  // -- command queue links ----------------------------------------------------

  /// Pushed once by `schedule`.
  mpsc_node schedule_node;

  /// Pushed at most once per generation, by the `cancel` that won the race.
  mpsc_node cancel_node;

  // -- state helpers ----------------------------------------------------------

  static constexpr uint64_t make_state(uint32_t gen, timer_status st) noexcept {
    return (uint64_t{gen} << 32) | static_cast<uint32_t>(st);
  }

  static constexpr uint32_t generation_of(uint64_t state) noexcept {
    return static_cast<uint32_t>(state >> 32);
  }

  static constexpr timer_status status_of(uint64_t state) noexcept {
    return static_cast<timer_status>(state & 0xFFFFFFFFu);
  }

  /// Recovers the entry from one of its two queue links. Entries are 64-byte
  /// aligned, so masking the low bits of a link address yields the entry.
  static timer_entry* from_node(mpsc_node* node) noexcept {
    auto addr = reinterpret_cast<uintptr_t>(node) & ~uintptr_t{63};
    return reinterpret_cast<timer_entry*>(addr);
  }
};

static_assert(sizeof(timer_entry) == 64, "a pending timer must fit 64 bytes");
static_assert(alignof(timer_entry) == 64, "from_node relies on alignment");

} // namespace horae::detail
