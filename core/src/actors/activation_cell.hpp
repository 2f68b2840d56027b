// The door through which `virtual_ref` sends reach a live activation without
// the registry's lock: one per (type, key), shared by the registry and every
// reference to that key, and open only while an activation accepts
// messages.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include <caf/actor.hpp>
#include <caf/mailbox_element.hpp>

namespace horae::detail {

/// A sender announces itself in `senders` and then looks at `open`; the
/// registry closes by clearing `open` and then waits until `senders` is
/// zero. With both sides sequentially consistent, either the sender sees
/// the door closed (and takes the registry's locked path), or the registry
/// sees the sender and waits until its message is in the mailbox, where
/// the registry's empty-mailbox check before a deactivation finds it. So a
/// message is never enqueued into an activation that was already vacated.
///
/// `handle` is written only while the door is closed and no sender is
/// inside, under the registry's lock.
class activation_cell {
public:
  /// Enqueues `element` into the open activation. @returns false, with
  /// `element` untouched, if the door is closed.
  bool try_enqueue(caf::mailbox_element_ptr& element) {
    senders_.fetch_add(1, std::memory_order_seq_cst);
    if (!open_.load(std::memory_order_seq_cst)) {
      senders_.fetch_sub(1, std::memory_order_release);
      return false;
    }
    handle_->enqueue(std::move(element), nullptr);
    senders_.fetch_sub(1, std::memory_order_release);
    return true;
  }

  /// Opens the door to `handle`. Requires the registry's lock and a
  /// closed door.
  void open(caf::actor handle) {
    handle_ = std::move(handle);
    open_.store(true, std::memory_order_seq_cst);
  }

  /// Opens the door again to the same activation (a deactivation that did
  /// not happen). Requires the registry's lock.
  void reopen() {
    open_.store(true, std::memory_order_seq_cst);
  }

  /// Closes the door and waits for the senders inside (each in the middle
  /// of one enqueue). Requires the registry's lock.
  void close() {
    open_.store(false, std::memory_order_seq_cst);
    while (senders_.load(std::memory_order_seq_cst) != 0)
      std::this_thread::yield();
  }

  /// Closes the door and lets go of the activation. Requires the
  /// registry's lock.
  void clear() {
    close();
    handle_ = nullptr;
  }

private:
  std::atomic<uint32_t> senders_{0};
  std::atomic<bool> open_{false};
  caf::actor handle_;
};

} // namespace horae::detail
