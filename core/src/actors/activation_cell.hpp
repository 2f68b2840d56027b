// The door through which `virtual_ref` sends reach a live activation without
// the registry's lock: one per (type, key), shared by the registry and every
// reference to that key, and open only while an activation accepts
// messages.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

#include <caf/actor.hpp>
#include <caf/mailbox_element.hpp>

#include "actors/send_markers.hpp"

namespace horae::detail {

/// A sender announces itself and then looks at `open`; the registry closes
/// by clearing `open` and then waits until no sender is announced. Either
/// the sender sees the door closed (and takes the registry's locked path),
/// or the registry sees the sender and waits until its message is in the
/// mailbox, where the registry's empty-mailbox check before a deactivation
/// finds it. So a message is never enqueued into an activation that was
/// already vacated.
///
/// A sender announces itself in its thread's `send_marker` with a plain
/// store and a compiler barrier; the registry pays for both sides with one
/// process-wide barrier per close (`send_marker::heavy_fence`), since sends
/// are many and closes are one per deactivation. A send made while the
/// thread's marker is taken (a send from inside an enqueue) or from a
/// thread that is exiting announces itself in the `senders_` counter
/// instead, with sequentially consistent operations on both sides.
///
/// `handle_` and `open_` are written only under the registry's lock, and
/// `handle_` only while the door is closed and no sender is inside.
class activation_cell {
public:
  /// Enqueues `element` into the open activation. @returns false, with
  /// `element` untouched, if the door is closed.
  bool try_enqueue(caf::mailbox_element_ptr& element) {
    auto* marker = send_marker::mine();
    if (marker == nullptr
        || marker->cell.load(std::memory_order_relaxed) != nullptr)
      return try_enqueue_counted(element);
    marker->cell.store(this, std::memory_order_relaxed);
    marker->light_fence();
    // Also clears the marker if the enqueue throws (out of memory).
    announcement done{marker};
    return pass(element, std::memory_order_acquire);
  }

  /// The send path for threads without a free marker: two sequentially
  /// consistent read-modify-writes on the cell. Public so that
  /// activation_door_bench can compare it with `try_enqueue`.
  bool try_enqueue_counted(caf::mailbox_element_ptr& element) {
    senders_.fetch_add(1, std::memory_order_seq_cst);
    struct leave {
      std::atomic<uint32_t>& senders;
      ~leave() {
        senders.fetch_sub(1, std::memory_order_release);
      }
    } done{senders_};
    return pass(element, std::memory_order_seq_cst);
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
    close_all(std::array<activation_cell*, 1>{this});
  }

  /// Closes every door of `cells` with one barrier for all of them.
  /// Requires the registry's lock.
  template <class Cells>
  static void close_all(const Cells& cells) {
    for (auto* cell : cells)
      cell->open_.store(false, std::memory_order_seq_cst);
    send_marker::heavy_fence();
    for (auto* cell : cells)
      cell->wait_for_senders();
  }

  /// Closes the door and lets go of the activation. Requires the
  /// registry's lock.
  void clear() {
    // A door closed under this lock has no sender inside, and every later
    // sender sees it closed: no second barrier.
    if (open_.load(std::memory_order_relaxed))
      close();
    handle_ = nullptr;
  }

private:
  /// Enqueues `element` if the door is open, read with `order` after the
  /// sender announced itself.
  bool pass(caf::mailbox_element_ptr& element, std::memory_order order) {
    if (!open_.load(order))
      return false;
    handle_->enqueue(std::move(element), nullptr);
    return true;
  }

  /// Takes the marker back when a send through it ends, however it ends.
  struct announcement {
    send_marker* marker;

    ~announcement() {
      marker->cell.store(nullptr, std::memory_order_release);
    }
  };

  void wait_for_senders() const {
    while (senders_.load(std::memory_order_seq_cst) != 0
           || send_marker::any_names(this))
      std::this_thread::yield();
  }

  std::atomic<uint32_t> senders_{0};
  std::atomic<bool> open_{false};
  caf::actor handle_;
};

} // namespace horae::detail
