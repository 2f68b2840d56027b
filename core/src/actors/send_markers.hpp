// Per-thread records of the activation cell a thread is enqueueing into,
// and the pair of fences that lets a send set its record without a
// read-modify-write: the frequent side (a send) pays a compiler barrier,
// the rare side (closing a cell) a process-wide barrier.
#pragma once

#include <atomic>
#include <cstdint>

namespace horae::detail {

class send_marker;

/// A thread's claim on a send marker. Trivially destructible, so that
/// reading it needs no guard; the record goes back through a lease (see
/// send_markers.cpp).
struct send_marker_claim {
  send_marker* record = nullptr;
  bool exited = false;
};

/// What one thread announces while it enqueues through an open cell.
///
/// Records live in one process-wide list that only grows; a thread claims a
/// record on its first send and gives it back when it exits, so the list is
/// as long as the most threads that ever sent at the same time. Each record
/// has a cache line of its own: only its owner writes it.
class alignas(64) send_marker {
public:
  /// The cell this thread is enqueueing into, or null.
  std::atomic<const void*> cell{nullptr};

  /// @returns the calling thread's record, claimed on first use, or null
  ///          once the thread has given it back (it is exiting) or if no
  ///          record could be had (out of memory).
  static send_marker* mine() noexcept {
    auto& t = this_thread;
    if (t.record == nullptr && !t.exited)
      t.record = claim();
    return t.record;
  }

  /// @returns whether some thread's record names `target`.
  static bool any_names(const void* target) noexcept {
    for (auto* x = head().load(std::memory_order_acquire); x != nullptr;
         x = x->next_)
      if (x->cell.load(std::memory_order_acquire) == target)
        return true;
    return false;
  }

  /// Orders this thread's earlier store to `cell` before its later loads,
  /// as far as a thread that calls `heavy_fence` afterwards can tell.
  void light_fence() const noexcept {
    if (compiler_only_)
      std::atomic_signal_fence(std::memory_order_seq_cst);
    else
      std::atomic_thread_fence(std::memory_order_seq_cst);
  }

  /// Returns after every other thread of the process has passed a full
  /// memory barrier: each thread's store before its last `light_fence` is
  /// then visible here, and this thread's earlier stores are visible to
  /// every load after another thread's next `light_fence`. Uses
  /// `membarrier` where the kernel offers it; else it is a full fence, and
  /// so is every `light_fence`. Aborts if the kernel, having granted the
  /// barrier, refuses it later: senders would then go unseen.
  static void heavy_fence() noexcept;

  /// @returns whether `heavy_fence` is the process-wide barrier. Decided
  ///          once per process, before the first record is handed out.
  static bool asymmetric() noexcept;

private:
  // Inline and constant-initialized: no wrapper call and no guard on an
  // access.
  inline static thread_local send_marker_claim this_thread
    __attribute__((tls_model("initial-exec")));

  static std::atomic<send_marker*>& head() noexcept;

  /// Takes a free record or adds one, and arranges for the calling thread
  /// to give it back when it exits. @returns null if that fails.
  static send_marker* claim() noexcept;

  friend struct marker_lease;

  /// Next record of the list; never changes once the record is published.
  send_marker* next_ = nullptr;

  /// Whether the heavy fence is a process-wide barrier, so that the light
  /// fence needs to stop only the compiler; a copy of `asymmetric()`.
  bool compiler_only_ = false;

  /// Set while a live thread owns the record; guarded by the list's mutex.
  bool owned_ = false;
};

} // namespace horae::detail
