// TimerFacet: in-memory timers whose fires arrive in the actor's own
// mailbox. Lost on deactivation, by design; reminders are the durable kind.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/message.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/facet.hpp>
#include <horae/facets/defaults.hpp>
#include <horae/facets/timer_handle.hpp>
#include <horae/facets/timer_info.hpp>

namespace horae {

class timer_service;
struct timer_extras;

/// Options of `timer_facet::start_periodic`.
struct periodic_options {
  /// Delay before the first tick; unset means one interval.
  std::optional<clock::duration> initial_delay;
  /// Fixed rate (grid-anchored) or fixed delay.
  timer_mode mode = timer_mode::fixed_rate;
  /// Delivered instead of `timer_fired` when not empty.
  caf::message payload;
};

/// Named timers of one actor.
///
/// Guarantees:
/// - Starting a timer under an existing name replaces it, and a fire of a
///   cancelled or replaced timer never reaches the behaviour, even when it is
///   already in the mailbox: every fire carries the arming it was
///   scheduled for and is checked when the actor dequeues it.
/// - A periodic timer has at most one fire in the mailbox. The next tick is
///   scheduled only when the current one is dequeued; ticks that fell due in
///   between are folded into the delivered fire and counted in `coalesced`.
/// - Fixed-rate tick n (from 1) is due at start + initial_delay
///   + (n - 1) * interval, so ticks stay on the grid
///   (no drift); fixed-delay ticks are due one interval after the behaviour
///   finished handling the previous fire.
/// - Timer fires do not count as activity for idle deactivation, and all
///   timers are cancelled when the actor deactivates or terminates.
class timer_facet final : public facet {
public:
  // -- constants --------------------------------------------------------------

  /// Name in config files.
  static constexpr std::string_view facet_name = "timers";

  /// Default of the `max-timers` setting.
  static constexpr size_t default_max_timers = defaults::timers::max_timers;

  /// Longest delay or interval a timer may have (100 years, as reminders).
  /// Timers beyond the timer service's wheel wait outside it and move in
  /// when they come within range; none fires early.
  static constexpr clock::duration max_delay
    = std::chrono::hours{24 * 365 * 100};

  // -- constructors, destructors, and assignment operators --------------------

  /// @param max_timers how many timers the actor may have at once.
  explicit timer_facet(size_t max_timers = default_max_timers);

  ~timer_facet() override;

  // -- timer management -------------------------------------------------------

  /// Starts (or replaces) a one-shot timer due after `delay`; its fire
  /// arrives as `timer_fired`.
  /// @returns `errc::invalid_argument` for an empty name or a negative delay,
  ///          `errc::out_of_range` for a delay beyond `max_delay` (100
  ///          years), `errc::limit_reached` when the actor has `max_timers`
  ///          timers, `errc::facet_not_attached` before attachment.
  caf::error start_once(const std::string& name, clock::duration delay);

  /// As above; the fire arrives as `payload` instead (as `timer_fired` if
  /// `payload` is empty).
  caf::error start_once(const std::string& name, clock::duration delay,
                        caf::message payload);

  /// Starts (or replaces) a periodic timer.
  /// @returns the errors of `start_once`, and `errc::invalid_argument` for an
  ///          interval that is zero or negative, `errc::out_of_range` for an
  ///          interval below the timer resolution.
  caf::error start_periodic(const std::string& name, clock::duration interval,
                            periodic_options options = {});

  /// Cancels the timer `name`. @returns whether it existed.
  bool cancel(const std::string& name);

  /// Cancels every timer. @returns how many there were.
  size_t cancel_all();

  // -- observers --------------------------------------------------------------

  /// @returns whether a timer named `name` is pending.
  bool active(const std::string& name) const;

  /// @returns the pending timers, ordered by name.
  std::vector<timer_info> list() const;

  /// @returns how many timers are pending.
  size_t count() const noexcept;

  /// @returns the configured per-actor limit.
  size_t max_timers() const noexcept {
    return max_timers_;
  }

  // -- facet interface --------------------------------------------------------

  std::string_view name() const noexcept override;

  int priority() const noexcept override;

  void on_attach(actor& self) override;

  void on_deactivate(actor& self) override;

  void on_detach(actor& self) override;

  message_filter intercepts() const override;

  intercept before_message(actor& self,
                           const caf::type_erased_tuple& content) override;

  void after_message(actor& self, const caf::type_erased_tuple& content,
                     message_outcome outcome) override;

private:
  /// What the facet keeps per timer besides its name and deadline.
  struct timer_state;

  struct table;

  /// @returns the error of `check_common` for a start of `name` after
  ///          `delay`, or nothing; a valid start builds no error object.
  std::optional<caf::error> rejected(const std::string& name,
                                     clock::duration delay);

  caf::error check_common(const std::string& name, clock::duration delay);

  /// Puts `name` in the table with `state` and arms its first tick at
  /// `first_due`, replacing a timer of the same name.
  caf::error start(const std::string& name, timer_state&& state,
                   clock::time_point first_due);

  /// Starts a one-shot timer that carries `extras` (null: a plain one).
  caf::error start_one_shot(const std::string& name, clock::duration delay,
                            std::unique_ptr<timer_extras> extras);

  actor* self_ = nullptr;
  /// The actor's clock, kept from `on_attach` on.
  clock* clock_ = nullptr;
  timer_service* service_ = nullptr;
  size_t max_timers_;
  std::unique_ptr<table> table_;
  /// Slot whose fire the behaviour is handling (fixed-delay re-arms after).
  int64_t in_delivery_ = -1;
};

/// @returns the TimerFacet of `self`.
/// @throws missing_facet if `self` has none.
inline timer_facet& timers(actor* self) {
  return self->facet<timer_facet>();
}

} // namespace horae
