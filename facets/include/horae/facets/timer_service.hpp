// The runtime-wide timer service: a hierarchical timing wheel on its own
// thread that enqueues horae::timer_due messages into actors' mailboxes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <caf/actor_control_block.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/service.hpp>
#include <horae/facets/timer_due.hpp>
#include <horae/facets/timer_handle.hpp>
#include <horae/facets/timer_service_config.hpp>

namespace horae {

namespace detail {

class timer_service_impl;

} // namespace detail

/// Delivers `timer_due` messages to actors at monotonic deadlines.
///
/// Timers live on a hierarchical timing wheel (see
/// facets/src/timer_service/timing_wheel.hpp): scheduling and cancelling are
/// O(1), and the service's thread sleeps until the next slot that holds work
/// instead of ticking at a fixed rate. Actor threads do not share a lock per
/// timer: `schedule` takes an entry from a per-thread cache and pushes a
/// command onto a lock-free queue that the timer thread drains in batches.
///
/// A timer holds only a weak reference to its target; if the actor is gone
/// when the timer falls due, the timer is dropped silently.
///
/// With a manual clock `start` starts no thread; `poll` does the work after
/// each `manual_clock::advance`.
///
/// All member functions are thread-safe. `schedule` and `cancel` must not
/// race with the destructor.
class timer_service : public service {
public:
  // -- constructors, destructors, and assignment operators --------------------

  /// Creates a stopped service reading time from `clk`.
  /// @pre `clk` outlives the service.
  /// @throws std::invalid_argument if `validate(cfg)` reports an error; check
  ///         user-supplied configurations with `validate` first.
  explicit timer_service(clock& clk, timer_service_config cfg = {});

  /// Calls `stop` and releases all memory.
  ~timer_service() override;

  timer_service(const timer_service&) = delete;
  timer_service& operator=(const timer_service&) = delete;

  // -- timers -----------------------------------------------------------------

  /// Arranges for `timer_due{cookie, deadline, fire_time}` to be enqueued into
  /// `target`'s mailbox once the clock reaches `deadline`. A deadline at or
  /// before now fires on the next pass of the timer thread (or `poll`).
  /// Timers never fire early: a timer fires once the clock reaches its own
  /// deadline, late only by the timer thread's wake-up latency (the
  /// resolution decides where a timer waits, not when it fires).
  /// @param deadline monotonic time, at most `now + max_delay()`.
  /// @param target the receiving actor; held weakly.
  /// @param cookie opaque value echoed in `timer_due::cookie`.
  /// @returns a handle for `cancel`, or an error: `errc::invalid_argument`
  ///          for a null target, `errc::out_of_range` for a deadline beyond
  ///          `max_delay()`, `errc::closed` after `stop`.
  caf::expected<timer_handle> schedule(clock::time_point deadline,
                                       const caf::strong_actor_ptr& target,
                                       uint64_t cookie);

  /// As above, for a target given by its control block, e.g. an actor
  /// scheduling for itself: saves taking and dropping a strong reference.
  caf::expected<timer_handle> schedule(clock::time_point deadline,
                                       caf::actor_control_block* target,
                                       uint64_t cookie);

  /// Cancels the timer behind `h` in O(1).
  /// @returns `true` if the timer was still pending when the request was
  ///          made; it will then never be delivered. `false` for an invalid
  ///          or stale handle, or a timer that already fired or is being
  ///          delivered right now (owners filter such in-flight fires with
  ///          their cookie/generation).
  bool cancel(timer_handle h) noexcept;

  // -- observers --------------------------------------------------------------

  /// @returns how many timers were scheduled and have neither fired nor been
  ///          cancelled, the timers owners queue behind alarms included and
  ///          the alarms left out. Exact when no other thread is scheduling
  ///          or cancelling at the same time.
  size_t pending() const noexcept;

  /// @returns how many timers fell due and were delivered, ever (alarms
  ///          left out, the owners' queued timers included).
  uint64_t fired() const noexcept;

  // -- alarms of owners that queue their own timers ---------------------------

  /// Cookies whose upper 32 bits are all ones mark an *alarm*: the one timer
  /// an owner schedules for the earliest of the timers it queues itself
  /// (the TimerFacet and the reminder dispatcher do, see
  /// facets/src/timers/keyed_timers.hpp). An alarm is not a timer of its
  /// own: `pending` and `fired` leave it out and count what the owner
  /// reports through `note_queued` and `note_queued_delivered` instead.
  static constexpr uint64_t alarm_tag = uint64_t{0xFFFFFFFF} << 32;

  /// @returns whether `cookie` marks an alarm.
  static constexpr bool is_alarm(uint64_t cookie) noexcept {
    return (cookie & alarm_tag) == alarm_tag;
  }

  /// Counts timers an owner queued (`delta` > 0) or that left its queue
  /// without firing (`delta` < 0).
  void note_queued(int64_t delta) noexcept;

  /// Counts a timer an owner took from its queue and delivered: it leaves
  /// `pending` and joins `fired` (one counter update for both).
  void note_queued_delivered() noexcept;

  // -- what the facets report, for metrics ------------------------------------

  /// Counts a fire a facet dropped because its timer was cancelled or
  /// replaced after it was queued.
  void note_stale_fire() noexcept;

  /// Counts periodic ticks a facet folded into a later fire.
  void note_coalesced(uint64_t ticks) noexcept;

  /// @returns the fires `note_stale_fire` counted.
  uint64_t stale_fires() const noexcept;

  /// @returns the ticks `note_coalesced` counted.
  uint64_t coalesced_ticks() const noexcept;

  /// @returns the longest delay `schedule` accepts:
  ///          `resolution * (slots_per_level^levels - 1)`, capped at 100
  ///          years.
  clock::duration max_delay() const noexcept;

  /// @returns the configuration this service was built with.
  const timer_service_config& config() const noexcept;

  /// @returns "timer_service".
  std::string_view name() const noexcept override;

  // -- lifecycle --------------------------------------------------------------

  /// Starts the timer thread when running on a real clock; with a manual
  /// clock this does nothing. Idempotent; no effect after `stop`.
  void start() override;

  /// Stops the timer thread and frees all pending timers without delivering
  /// them; `schedule` fails with `errc::closed` from then on. Idempotent.
  /// Entry memory stays reserved until destruction so that handles held by
  /// actors remain safe to `cancel` (it returns `false`).
  void stop() override;

  /// Applies queued schedule/cancel requests and fires every timer due at
  /// `clk.now()`, enqueueing its message outside of any lock. Safe to call
  /// concurrently with the timer thread.
  /// @returns the number of timers that fell due, including those dropped
  ///          because their actor was gone.
  size_t poll() override;

private:
  std::unique_ptr<detail::timer_service_impl> impl_;
};

} // namespace horae
