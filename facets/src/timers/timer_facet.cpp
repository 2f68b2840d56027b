// Named timers on top of the shared timer service. The keyed timer table
// keeps cancelled and replaced fires away from the behaviour; this file adds
// what a timer means to users: one-shot or periodic, fixed rate or delay,
// payloads and coalesced ticks.
#include <algorithm>
#include <memory>
#include <optional>

#include <caf/make_message.hpp>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_due.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/facets/timer_service.hpp>

#include "timers/keyed_timers.hpp"
#include "timers/name_hash.hpp"

namespace horae {

const char* to_string(timer_mode x) noexcept {
  return x == timer_mode::fixed_rate ? "fixed_rate" : "fixed_delay";
}

/// What only a periodic timer needs; a one-shot timer carries none of it.
struct periodic_state {
  clock::duration interval{0};
  timer_mode mode = timer_mode::fixed_rate;
  /// Due time of tick 1; tick k is due at anchor + (k - 1) * interval.
  clock::time_point anchor;
  /// The tick the next fire delivers; ticks delivered so far (coalesced ones
  /// included) are `next_tick - 1`.
  uint64_t next_tick = 1;
};

/// What a timer carries besides its name and deadline.
struct timer_extras {
  caf::message payload;
  /// Set for a periodic timer.
  std::optional<periodic_state> periodic;
};

struct timer_facet::timer_state {
  /// Null for a one-shot timer without a payload, the common case: such a
  /// timer allocates nothing and its slot fits one cache line.
  std::unique_ptr<timer_extras> extras;

  /// @returns the period, or null for a one-shot timer.
  periodic_state* periodic() const noexcept {
    return extras && extras->periodic ? &*extras->periodic : nullptr;
  }

  /// @returns the payload to deliver instead of `timer_fired`, or an empty
  ///          message.
  caf::message payload() const {
    return extras ? extras->payload : caf::message{};
  }

  bool has_payload() const noexcept {
    return extras && !extras->payload.empty();
  }
};

struct timer_facet::table
  : detail::keyed_timers<std::string, timer_facet::timer_state,
                         detail::name_hash> {
  // The memory figure in docs/performance.md rests on this: a pending
  // timer is one slot, one heap position and its share of the index.
  static_assert(slot_bytes <= 64, "a TimerFacet slot must fit 64 bytes");
};

// -- constructors, destructors, and assignment operators ----------------------

timer_facet::timer_facet(size_t max_timers)
  : max_timers_(max_timers), table_(std::make_unique<table>()) {
  // nop
}

timer_facet::~timer_facet() {
  cancel_all();
}

// -- timer management ---------------------------------------------------------

std::optional<caf::error> timer_facet::rejected(const std::string& name,
                                                clock::duration delay) {
  // The conditions of check_common, tested without building an error: a
  // start that passes them all (the common case) costs no error object.
  if (self_ != nullptr && service_ != nullptr && !name.empty()
      && name.size() <= max_name_length && delay >= clock::duration::zero()
      && delay <= max_delay && table_->size() < max_timers_)
    return std::nullopt;
  if (auto err = check_common(name, delay))
    return err;
  return std::nullopt; // at the limit, but `name` replaces its own timer
}

caf::error timer_facet::check_common(const std::string& name,
                                     clock::duration delay) {
  if (self_ == nullptr)
    return make_error(errc::facet_not_attached,
                      "timer_facet is not attached to an actor");
  if (service_ == nullptr)
    return make_error(errc::not_found,
                      "this runtime has no timer service; add "
                      "horae::timers_module() to the config loader");
  if (auto err = check_name("timer name", name))
    return err;
  if (delay < clock::duration::zero())
    return make_error(errc::invalid_argument, "timer '" + name
                                                + "': negative delay "
                                                + format_duration(delay));
  if (delay > max_delay)
    return make_error(errc::out_of_range, "timer '" + name + "': delay "
                                            + format_duration(delay)
                                            + " exceeds the longest timer of "
                                            + format_duration(max_delay));
  // Only at the limit does it matter whether the name is new.
  if (table_->size() >= max_timers_ && !table_->find(name))
    return make_error(errc::limit_reached, "timer '" + name
                                             + "': the actor already has "
                                             + std::to_string(max_timers_)
                                             + " timers (setting max-timers)");
  return caf::none;
}

caf::error timer_facet::start_once(const std::string& name,
                                   clock::duration delay) {
  return start_one_shot(name, delay, nullptr);
}

caf::error timer_facet::start_once(const std::string& name,
                                   clock::duration delay,
                                   caf::message payload) {
  // Allocated before the table changes, so that running out of memory
  // leaves no half-started timer behind.
  std::unique_ptr<timer_extras> extras;
  if (payload.cvals() != nullptr) {
    extras = std::make_unique<timer_extras>();
    extras->payload = std::move(payload);
  }
  return start_one_shot(name, delay, std::move(extras));
}

caf::error timer_facet::start_one_shot(const std::string& name,
                                       clock::duration delay,
                                       std::unique_ptr<timer_extras> extras) {
  if (auto err = rejected(name, delay))
    return std::move(*err);
  timer_state state;
  state.extras = std::move(extras);
  return start(name, std::move(state), clock_->now() + delay);
}

caf::error timer_facet::start_periodic(const std::string& name,
                                       clock::duration interval,
                                       periodic_options options) {
  if (interval <= clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "timer '" + name + "': interval must be positive, got "
                        + format_duration(interval));
  auto initial = options.initial_delay.value_or(interval);
  if (auto err = rejected(name, std::max(initial, interval)))
    return std::move(*err);
  if (initial < clock::duration::zero())
    return make_error(errc::invalid_argument, "timer '" + name
                                                + "': negative initial delay "
                                                + format_duration(initial));
  if (interval < service_->config().resolution)
    return make_error(errc::out_of_range,
                      "timer '" + name + "': interval "
                        + format_duration(interval)
                        + " is below the timer resolution of "
                        + format_duration(service_->config().resolution));
  timer_state state;
  state.extras = std::make_unique<timer_extras>();
  state.extras->payload = std::move(options.payload);
  auto& period = state.extras->periodic.emplace();
  period.interval = interval;
  period.mode = options.mode;
  period.anchor = clock_->now() + initial;
  auto due = period.anchor;
  return start(name, std::move(state), due);
}

caf::error timer_facet::start(const std::string& name, timer_state&& state,
                              clock::time_point first_due) {
  // An existing name keeps its slot; arming it again turns fires of the
  // old timer that are already queued stale.
  auto id = table_->emplace(name).first;
  table_->value(id) = std::move(state);
  if (auto err = table_->arm(id, first_due)) {
    table_->erase(id);
    return std::move(*err);
  }
  return caf::none;
}

bool timer_facet::cancel(const std::string& name) {
  auto id = table_->find(name);
  if (!id)
    return false;
  table_->erase(*id);
  return true;
}

size_t timer_facet::cancel_all() {
  return table_->clear();
}

// -- observers ----------------------------------------------------------------

bool timer_facet::active(const std::string& name) const {
  return table_->find(name).has_value();
}

size_t timer_facet::count() const noexcept {
  return table_->size();
}

std::vector<timer_info> timer_facet::list() const {
  std::vector<timer_info> result;
  result.reserve(table_->size());
  table_->for_each([&](uint32_t id) {
    const auto& s = table_->value(id);
    const auto* p = s.periodic();
    result.push_back(timer_info{
      table_->key(id), p != nullptr, p ? p->mode : timer_mode::fixed_rate,
      p ? p->interval : clock::duration::zero(), table_->deadline(id),
      p ? p->next_tick - 1 : 0, s.has_payload()});
  });
  std::sort(
    result.begin(), result.end(),
    [](const timer_info& a, const timer_info& b) { return a.name < b.name; });
  return result;
}

// -- facet interface ----------------------------------------------------------

std::string_view timer_facet::name() const noexcept {
  return facet_name;
}

int timer_facet::priority() const noexcept {
  // Runs before ordinary facets so that they see timer_fired, not timer_due.
  return 1000;
}

void timer_facet::on_attach(actor& self) {
  self_ = &self;
  clock_ = &self.clock();
  service_ = self.runtime().find_service<timer_service>();
  table_->bind(self_, service_);
}

void timer_facet::on_deactivate(actor&) {
  cancel_all();
}

void timer_facet::on_detach(actor&) {
  cancel_all();
  table_->bind(nullptr, nullptr);
  self_ = nullptr;
}

message_filter timer_facet::intercepts() const {
  return message_filter::only<timer_due>(); // fires; nothing else
}

intercept timer_facet::before_message(actor&,
                                      const caf::type_erased_tuple& content) {
  if (content.size() != 1 || !content.match_element<timer_due>(0))
    return intercept::proceed();
  const auto& due = content.get_as<timer_due>(0);
  bool stale = false;
  auto accepted = table_->accept(due, &stale);
  if (!accepted) {
    if (stale)
      service_->note_stale_fire();
    // Stale, or the table's alarm with nothing due yet.
    return intercept::drop().passive();
  }
  auto id = *accepted;
  auto& s = table_->value(id);
  auto* p = s.periodic();
  timer_fired fired{table_->key(id), p ? p->next_tick : 1, due.scheduled,
                    due.fired, 0};
  auto msg = s.payload();
  if (p == nullptr) {
    table_->erase(id);
  } else if (p->mode == timer_mode::fixed_rate) {
    // Fold every tick that is already due into this fire, then re-arm on
    // the grid: one fire in the mailbox at most, and no drift.
    auto now = clock_->now();
    auto last_due = static_cast<uint64_t>((now - p->anchor) / p->interval) + 1;
    if (now < p->anchor)
      last_due = p->next_tick;
    auto last = std::max(last_due, p->next_tick);
    fired.coalesced = last - p->next_tick;
    if (fired.coalesced > 0)
      service_->note_coalesced(fired.coalesced);
    p->next_tick = last + 1;
    auto next_due = p->anchor + static_cast<int64_t>(last) * p->interval;
    if (table_->arm(id, next_due))
      table_->erase(id); // the service stopped: shutting down
  } else {
    p->next_tick += 1;
    in_delivery_ = id; // after_message arms the next tick
  }
  if (msg.empty())
    msg = caf::make_message(std::move(fired));
  return intercept::replace(std::move(msg)).passive();
}

void timer_facet::after_message(actor&, const caf::type_erased_tuple&,
                                message_outcome) {
  if (in_delivery_ < 0)
    return;
  auto id = static_cast<uint32_t>(in_delivery_);
  in_delivery_ = -1;
  // The behaviour may have cancelled or replaced the timer meanwhile; a
  // replaced timer was already armed by start().
  if (!table_->contains(id) || table_->armed(id))
    return;
  const auto* p = table_->value(id).periodic();
  if (p == nullptr || p->mode != timer_mode::fixed_delay)
    return;
  if (table_->arm(id, clock_->now() + p->interval))
    table_->erase(id);
}

} // namespace horae
