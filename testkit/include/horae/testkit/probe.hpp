// A probe records the timer and reminder fires a behaviour receives, with
// the (manual) time each arrived, and checks them against expectations such
// as "fires at t, never before".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <horae/core/actor_factory.hpp>
#include <horae/core/clock.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/timer_fired.hpp>

namespace horae::testkit {

/// The result of an expectation: true, or false with the reason. Prints its
/// reason, so `EXPECT_TRUE(x) << x` explains a failure.
class check {
public:
  static check pass() {
    return check{true, {}};
  }

  static check fail(std::string why) {
    return check{false, std::move(why)};
  }

  explicit operator bool() const noexcept {
    return ok_;
  }

  const std::string& why() const noexcept {
    return why_;
  }

  friend std::ostream& operator<<(std::ostream& out, const check& x) {
    return out << (x.ok_ ? "ok" : x.why_);
  }

private:
  check(bool ok, std::string why) : ok_(ok), why_(std::move(why)) {
    // nop
  }

  bool ok_;
  std::string why_;
};

/// One fire as the behaviour received it.
struct received_fire {
  enum class kind { timer, reminder };
  kind what;
  /// Timer or reminder name.
  std::string name;
  /// The receiving actor, "type/key" or "actor#<id>".
  std::string actor;
  /// When the fire was due (monotonic for timers; for reminders, the
  /// runtime clock's monotonic reading at the wall-clock due time).
  clock::time_point due;
  /// When the behaviour received it, on the runtime's clock.
  clock::time_point received;
  /// Timer tick (from 1) or reminder fire count.
  uint64_t seq = 0;
  /// Ticks folded into this fire (timer `coalesced`, reminder `missed`).
  uint64_t folded = 0;
  /// Delivery attempt (reminders; 1 for timers).
  uint32_t attempt = 1;
};

/// Records fires from any number of actors. Thread-safe, so it also serves
/// tests on real time. Shared by the behaviours it makes.
class probe : public std::enable_shared_from_this<probe> {
public:
  /// @returns a probe; behaviours keep it alive.
  static std::shared_ptr<probe> make();

  /// @returns a behaviour factory that attaches the TimerFacet, the
  ///          ReminderFacet (when `reminders`) and the runner facet, calls
  ///          `setup` (may be empty) and records every fire.
  actor_factory recorder(bool reminders = false,
                         const std::function<void(actor&)>& setup = {});

  /// Records a fire; what `recorder` behaviours call.
  void record(actor& self, const timer_fired& x);
  void record(actor& self, const reminder_fired& x);

  // -- observers --------------------------------------------------------------

  /// @returns every fire so far, in arrival order.
  std::vector<received_fire> fires() const;

  /// @returns the fires of `name`, in arrival order.
  std::vector<received_fire> fires_of(const std::string& name) const;

  /// @returns how many fires of `name` arrived.
  size_t count(const std::string& name) const;

  // -- expectations -----------------------------------------------------------

  /// `name` fired exactly once so far, and it arrived at `at`.
  check fired_once_at(const std::string& name, clock::time_point at) const;

  /// No fire of `name` arrived before its due time, nor before `not_before`.
  check never_before(const std::string& name,
                     clock::time_point not_before) const;

  /// `name` has not fired (yet).
  check silent(const std::string& name) const;

private:
  mutable std::mutex mtx_;
  std::vector<received_fire> fires_;
};

} // namespace horae::testkit
