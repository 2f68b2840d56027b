// The facet interface: an opt-in capability an actor attaches (timers,
// reminders, ...). Facets see messages before and after the behaviour: every
// message, or only the types they declare (message_filter.hpp).
#pragma once

#include <string>
#include <string_view>

#include <caf/fwd.hpp>
#include <caf/message.hpp>
#include <caf/settings.hpp>
#include <caf/type_erased_tuple.hpp>

#include <horae/core/fwd.hpp>
#include <horae/core/message_filter.hpp>
#include <horae/core/message_outcome.hpp>

namespace horae {

/// What a facet decides about an incoming message.
class intercept {
public:
  enum class verdict {
    /// Pass the message on to lower-priority facets and the behaviour.
    proceed,
    /// Swallow the message; neither the behaviour nor later facets see it.
    drop,
    /// Pass `replacement` on instead of the original content.
    replace,
  };

  /// Passes the message on unchanged.
  static intercept proceed() {
    return intercept{verdict::proceed, caf::message{}};
  }

  /// Swallows the message.
  static intercept drop() {
    return intercept{verdict::drop, caf::message{}};
  }

  /// Passes `msg` on instead of the original content.
  static intercept replace(caf::message msg) {
    return intercept{verdict::replace, std::move(msg)};
  }

  /// Marks the message as housekeeping: it does not reset the actor's idle
  /// timer (timer fires, for example, must not keep a virtual actor alive).
  intercept& passive() noexcept {
    passive_ = true;
    return *this;
  }

  verdict what() const noexcept {
    return what_;
  }

  bool is_passive() const noexcept {
    return passive_;
  }

  caf::message& replacement() noexcept {
    return replacement_;
  }

private:
  intercept(verdict what, caf::message replacement)
    : what_(what), replacement_(std::move(replacement)) {
    // nop
  }

  verdict what_;
  bool passive_ = false;
  caf::message replacement_;
};

/// Base class of all facets.
///
/// An actor holds its facets ordered by descending `priority()`: hooks and
/// `before_message` run highest priority first, `after_message` and `detach`
/// in reverse. Every hook runs on the actor's own thread, so a facet needs no
/// locking for state that only its actor touches.
///
/// Lifecycle: `on_attach` when added to an actor; `on_activate` once the
/// actor has its behaviour (immediately, if it is already running);
/// `on_deactivate` before the actor stops (idle deactivation or any
/// termination); `on_detach` when removed or when the actor is destroyed.
class facet {
public:
  // -- constructors, destructors, and assignment operators --------------------

  facet() = default;

  virtual ~facet();

  facet(const facet&) = delete;
  facet& operator=(const facet&) = delete;

  // -- observers --------------------------------------------------------------

  /// @returns the facet's name as used in config files, e.g. "timers".
  virtual std::string_view name() const noexcept = 0;

  /// @returns the ordering key; higher runs first. Defaults to 0.
  virtual int priority() const noexcept {
    return 0;
  }

  // -- lifecycle hooks --------------------------------------------------------

  /// Called when the facet is added to `self`.
  virtual void on_attach(actor& self);

  /// Called when `self` starts processing messages.
  virtual void on_activate(actor& self);

  /// Called before `self` stops, for any reason.
  virtual void on_deactivate(actor& self);

  /// Called when the facet is removed from `self` or `self` is destroyed.
  virtual void on_detach(actor& self);

  // -- message interception ---------------------------------------------------

  /// @returns the messages this facet's hooks run for; asked once, when the
  ///          facet is attached. Defaults to every message. A facet that only
  ///          reacts to its own message types should list them: the actor
  ///          then spends nothing on it for any other message.
  virtual message_filter intercepts() const;

  /// Inspects `content` before the behaviour sees it.
  virtual intercept before_message(actor& self,
                                   const caf::type_erased_tuple& content);

  /// Called after the behaviour ran for a message that this facet let
  /// through, with what it made of it; `threw` is reported before the
  /// exception leaves the actor.
  virtual void after_message(actor& self, const caf::type_erased_tuple& content,
                             message_outcome outcome);
};

} // namespace horae
