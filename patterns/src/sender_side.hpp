// What the worker pool and the broadcaster share to act in the sender's
// context, as caf::actor_pool does: a handle with no mailbox of its own,
// answers built by hand, and sends held back until a lock is released.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_config.hpp>
#include <caf/actor_system.hpp>
#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/make_actor.hpp>
#include <caf/monitorable_actor.hpp>
#include <caf/type_erased_tuple.hpp>

namespace horae::detail {

/// The lock of the pattern handles' short critical sections, taken from
/// several threads at once: a contended `std::mutex` sends its waiter to
/// sleep in the kernel, which costs more than a whole section.
class spinlock {
public:
  void lock() noexcept {
    while (flag_.exchange(true, std::memory_order_acquire))
      while (flag_.load(std::memory_order_relaxed))
        std::this_thread::yield();
  }

  void unlock() noexcept {
    flag_.store(false, std::memory_order_release);
  }

private:
  std::atomic<bool> flag_{false};
};

/// Where the answer to a request goes; CAF's `response_promise` without its
/// need to run inside an actor (its `deliver` schedules on the actor's own
/// execution unit, which another thread must not touch).
class reply_route {
public:
  // -- constructors -----------------------------------------------------------

  reply_route() = default;

  /// Takes the sender and the forwarding stages out of `x`.
  explicit reply_route(caf::mailbox_element& x)
    : sender_(std::move(x.sender)), stages_(std::move(x.stages)), id_(x.mid) {
    // nop
  }

  // -- observers --------------------------------------------------------------

  /// @returns the id of the request this route answers.
  caf::message_id id() const noexcept {
    return id_;
  }

  // -- modifiers --------------------------------------------------------------

  /// Addresses `x` to the next stage or to the sender, as CAF would.
  /// @returns the receiver, or `nullptr` if nobody waits for an answer.
  caf::strong_actor_ptr address(caf::mailbox_element& x);

private:
  caf::strong_actor_ptr sender_;
  caf::mailbox_element::forwarding_stack stages_;
  caf::message_id id_;
};

/// Sends collected while a lock is held and made once it is released: a
/// send to a closed mailbox bounces at once, into code that may take the
/// same lock.
class outbox {
public:
  /// Queues `x` for `dest`; does nothing if `dest` is `nullptr`.
  void add(caf::strong_actor_ptr dest, caf::mailbox_element_ptr x);

  /// Queues `content` as the answer along `route` from `self`.
  void reply(reply_route& route, caf::strong_actor_ptr self,
             caf::message content);

  /// Makes every queued send from the execution unit `eu` (the caller's).
  void flush(caf::execution_unit* eu);

private:
  using entry = std::pair<caf::strong_actor_ptr, caf::mailbox_element_ptr>;

  // A job or an answer makes one or two sends: those need no allocation.
  std::array<entry, 2> first_;
  size_t size_ = 0;
  std::vector<entry> rest_;
};

/// A CAF actor that runs its messages in the sender's context in `enqueue`
/// and is never scheduled; terminated by `stop`.
class sender_side_actor : public caf::monitorable_actor {
public:
  explicit sender_side_actor(caf::actor_config& cfg)
    : caf::monitorable_actor(cfg) {
    // nop
  }

  /// Terminates the actor with `reason`: its monitors get a `down_msg`.
  void stop(caf::error reason) {
    cleanup(std::move(reason), nullptr);
  }

  void on_destroy() override;

protected:
  /// Answers the request `x` with `value`, from the caller's context `eu`.
  template <class T>
  void answer(caf::mailbox_element& x, T value, caf::execution_unit* eu) {
    outbox out;
    reply_route route{x};
    out.reply(route, ctrl(), caf::make_message(std::move(value)));
    out.flush(eu);
  }
};

/// Creates a `T` (a `sender_side_actor`) with `xs` in `sys`.
template <class T, class... Ts>
caf::strong_actor_ptr make_sender_side(caf::actor_system& sys, Ts&&... xs) {
  caf::actor_config cfg;
  return caf::make_actor<T, caf::strong_actor_ptr>(
    sys.next_actor_id(), sys.node(), &sys, cfg, std::forward<Ts>(xs)...);
}

/// @returns whether `msg` is one of the messages CAF handles before a
///          behaviour (exit, down, errors, system and stream messages).
bool is_system_message(const caf::type_erased_tuple& msg) noexcept;

/// @returns whether `msg` starts with an atom, as every control message of
///          the patterns does: anything else is work, with no matching.
bool starts_with_atom(const caf::type_erased_tuple& msg) noexcept;

} // namespace horae::detail
