// Intrusive multi-producer single-consumer queue carrying schedule and cancel
// commands from actor threads to the timer thread.
#pragma once

#include <atomic>
#include <thread>

#include "timer_service/timer_entry.hpp"

namespace horae::detail {

/// Unbounded intrusive FIFO (the "stub node" design by Dmitry Vyukov):
/// a push is one atomic exchange plus one store, with no CAS loop and no
/// allocation, so actor threads never block each other. Only one thread at a
/// time may pop (the timer service serializes consumers with a mutex).
///
/// FIFO order matters: a cancel for an entry is always pushed after its
/// schedule (the canceller got the handle from the scheduler), so the
/// consumer always sees the schedule first.
class mpsc_queue {
public:
  // -- constructors, destructors, and assignment operators --------------------

  mpsc_queue() noexcept : head_(&stub_), tail_(&stub_) {
    // nop
  }

  mpsc_queue(const mpsc_queue&) = delete;
  mpsc_queue& operator=(const mpsc_queue&) = delete;

  // -- producer interface -----------------------------------------------------

  /// Appends `node`. Safe to call from any thread.
  /// @note The exchange is sequentially consistent on purpose: together with
  ///       the timer thread's publication of its sleep deadline it forms the
  ///       handshake that prevents lost wake-ups (see timer_service.cpp).
  void push(mpsc_node* node) noexcept {
    node->next.store(nullptr, std::memory_order_relaxed);
    auto prev = head_.exchange(node, std::memory_order_seq_cst);
    // Between the exchange and this store the queue is briefly "broken";
    // the consumer waits for the link in `await_next`.
    prev->next.store(node, std::memory_order_release);
  }

  // -- consumer interface -----------------------------------------------------

  /// @returns whether no command is queued. Consumer only.
  bool empty() const noexcept {
    return tail_ == &stub_ && head_.load(std::memory_order_seq_cst) == &stub_;
  }

  /// Removes the oldest node. Consumer only.
  /// @returns the node or `nullptr` if the queue is empty.
  mpsc_node* pop() noexcept {
    auto tail = tail_;
    auto next = tail->next.load(std::memory_order_acquire);
    if (tail == &stub_) {
      if (next == nullptr) {
        if (head_.load(std::memory_order_acquire) == &stub_)
          return nullptr;
        next = await_next(tail);
      }
      tail_ = next;
      tail = next;
      next = next->next.load(std::memory_order_acquire);
    }
    if (next == nullptr) {
      if (tail == head_.load(std::memory_order_acquire)) {
        // `tail` is the last node: put the stub behind it so that `tail`
        // can leave the queue without the queue ever becoming headless.
        push(&stub_);
      }
      next = await_next(tail);
    }
    tail_ = next;
    return tail;
  }

private:
  // A producer swapped the head but has not linked its node yet. It is at
  // most one store away from doing so; yield until it gets the CPU back.
  static mpsc_node* await_next(mpsc_node* node) noexcept {
    mpsc_node* next;
    while ((next = node->next.load(std::memory_order_acquire)) == nullptr)
      std::this_thread::yield();
    return next;
  }

  alignas(64) std::atomic<mpsc_node*> head_;
  alignas(64) mpsc_node* tail_;
  mpsc_node stub_;
};

} // namespace horae::detail
