// Named timers on top of the shared timer service, with generation checks
// that keep cancelled and replaced fires away from the behaviour.
#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_due.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/facets/timer_service.hpp>

namespace horae {

const char* to_string(timer_mode x) noexcept {
  return x == timer_mode::fixed_rate ? "fixed_rate" : "fixed_delay";
}

struct timer_facet::slot {
  std::string name;
  uint32_t generation = 0;
  bool live = false;
  bool periodic = false;
  timer_mode mode = timer_mode::fixed_rate;
  clock::duration interval{0};
  /// Due time of tick 1; tick k is due at anchor + (k - 1) * interval.
  clock::time_point anchor;
  uint64_t next_tick = 1;
  clock::time_point next_due;
  uint64_t ticks = 0;
  caf::message payload;
  timer_handle handle;
};

namespace {

uint64_t make_cookie(uint32_t index, uint32_t generation) {
  return (static_cast<uint64_t>(index) << 32) | generation;
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

timer_facet::timer_facet(size_t max_timers) : max_timers_(max_timers) {
  // nop
}

timer_facet::~timer_facet() {
  cancel_all();
}

// -- timer management ---------------------------------------------------------

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
  if (by_name_.count(name) == 0 && by_name_.size() >= max_timers_)
    return make_error(errc::limit_reached, "timer '" + name
                                             + "': the actor already has "
                                             + std::to_string(max_timers_)
                                             + " timers (setting max-timers)");
  return caf::none;
}

caf::error timer_facet::start_once(const std::string& name,
                                   clock::duration delay,
                                   caf::message payload) {
  if (auto err = check_common(name, delay))
    return err;
  slot fresh;
  fresh.name = name;
  fresh.periodic = false;
  fresh.anchor = self_->clock().now() + delay;
  fresh.payload = std::move(payload);
  return start(name, std::move(fresh));
}

caf::error timer_facet::start_periodic(const std::string& name,
                                       clock::duration interval,
                                       periodic_options options) {
  if (interval <= clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "timer '" + name + "': interval must be positive, got "
                        + format_duration(interval));
  auto initial = options.initial_delay.value_or(interval);
  if (auto err = check_common(name, std::max(initial, interval)))
    return err;
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
  slot fresh;
  fresh.name = name;
  fresh.periodic = true;
  fresh.mode = options.mode;
  fresh.interval = interval;
  fresh.anchor = self_->clock().now() + initial;
  fresh.payload = std::move(options.payload);
  return start(name, std::move(fresh));
}

caf::error timer_facet::start(const std::string& name, slot&& fresh) {
  uint32_t index;
  if (auto i = by_name_.find(name); i != by_name_.end()) {
    // Replace in place: the new generation invalidates queued fires.
    index = i->second;
    service_->cancel(slots_[index].handle);
  } else if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
    by_name_.emplace(name, index);
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
    by_name_.emplace(name, index);
  }
  auto& s = slots_[index];
  auto generation = s.generation + 1;
  s = std::move(fresh);
  s.generation = generation;
  s.live = true;
  s.next_tick = 1;
  s.ticks = 0;
  if (auto err = arm(index, s.anchor)) {
    release(index);
    return err;
  }
  return caf::none;
}

caf::error timer_facet::arm(uint32_t index, clock::time_point due) {
  auto& s = slots_[index];
  s.next_due = due;
  auto target = caf::actor_cast<caf::strong_actor_ptr>(self_);
  auto cookie = make_cookie(index, s.generation);
  auto handle = service_->schedule(due, target, cookie);
  if (!handle && code_of(handle.error()) == errc::out_of_range) {
    // Beyond the wheel's range (checked by the service, so a timer within
    // it costs no extra clock read): hop to the end of the range and re-arm
    // from there (see before_message) until the due time is within reach.
    auto hop = self_->clock().now() + service_->max_delay();
    handle = service_->schedule(std::min(due, hop), target, cookie);
  }
  if (!handle)
    return handle.error();
  s.handle = *handle;
  return caf::none;
}

void timer_facet::release(uint32_t index) {
  auto& s = slots_[index];
  if (!s.live)
    return;
  if (service_ != nullptr)
    service_->cancel(s.handle);
  ++s.generation;
  s.live = false;
  s.payload = caf::message{};
  s.handle = timer_handle{};
  by_name_.erase(s.name);
  s.name.clear();
  free_.push_back(index);
}

bool timer_facet::cancel(const std::string& name) {
  auto i = by_name_.find(name);
  if (i == by_name_.end())
    return false;
  release(i->second);
  return true;
}

size_t timer_facet::cancel_all() {
  size_t result = 0;
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].live) {
      release(i);
      ++result;
    }
  }
  return result;
}

// -- observers ----------------------------------------------------------------

bool timer_facet::active(const std::string& name) const {
  return by_name_.count(name) > 0;
}

std::vector<timer_info> timer_facet::list() const {
  std::vector<timer_info> result;
  result.reserve(by_name_.size());
  for (const auto& [name, index] : by_name_) {
    const auto& s = slots_[index];
    result.push_back(timer_info{s.name, s.periodic, s.mode, s.interval,
                                s.next_due, s.ticks, !s.payload.empty()});
  }
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
  service_ = self.runtime().find_service<timer_service>();
}

void timer_facet::on_deactivate(actor&) {
  cancel_all();
}

void timer_facet::on_detach(actor&) {
  cancel_all();
  slots_.clear();
  free_.clear();
  self_ = nullptr;
}

message_filter timer_facet::intercepts() const {
  return message_filter::only<timer_due>(); // fires; nothing else
}

intercept timer_facet::before_message(actor& self,
                                      const caf::type_erased_tuple& content) {
  if (content.size() != 1 || !content.match_element<timer_due>(0))
    return intercept::proceed();
  const auto& due = content.get_as<timer_due>(0);
  auto index = static_cast<uint32_t>(due.cookie >> 32);
  auto generation = static_cast<uint32_t>(due.cookie & 0xFFFFFFFFu);
  if (index >= slots_.size() || !slots_[index].live
      || slots_[index].generation != generation)
    return intercept::drop().passive(); // cancelled or replaced
  auto& s = slots_[index];
  if (due.scheduled < s.next_due) {
    // An intermediate hop of a timer beyond the wheel's range.
    if (arm(index, s.next_due))
      release(index); // the service stopped: shutting down
    return intercept::drop().passive();
  }
  timer_fired fired{s.name, s.next_tick, due.scheduled, due.fired, 0};
  caf::message msg = s.payload;
  if (!s.periodic) {
    release(index);
  } else if (s.mode == timer_mode::fixed_rate) {
    // Fold every tick that is already due into this fire, then re-arm on
    // the grid: one fire in the mailbox at most, and no drift.
    auto now = self.clock().now();
    auto last_due = static_cast<uint64_t>((now - s.anchor) / s.interval) + 1;
    if (now < s.anchor)
      last_due = s.next_tick;
    auto last = std::max(last_due, s.next_tick);
    fired.coalesced = last - s.next_tick;
    s.ticks += fired.coalesced + 1;
    s.next_tick = last + 1;
    auto next_due = s.anchor + static_cast<int64_t>(last) * s.interval;
    if (arm(index, next_due))
      release(index);
  } else {
    s.ticks += 1;
    s.next_tick += 1;
    s.handle = timer_handle{}; // fired; after_message arms the next tick
    in_delivery_ = index;
  }
  if (msg.empty())
    msg = caf::make_message(std::move(fired));
  return intercept::replace(std::move(msg)).passive();
}

void timer_facet::after_message(actor& self, const caf::type_erased_tuple&,
                                message_outcome) {
  if (in_delivery_ < 0)
    return;
  auto index = static_cast<uint32_t>(in_delivery_);
  in_delivery_ = -1;
  // The behaviour may have cancelled or replaced the timer meanwhile; a
  // replaced timer was already armed by start().
  auto& s = slots_[index];
  if (!s.live || !s.periodic || s.mode != timer_mode::fixed_delay
      || s.handle.valid())
    return;
  if (arm(index, self.clock().now() + s.interval))
    release(index);
}

} // namespace horae
