// horae::timer_service: argument checks and the lock-free scheduling path;
// the consumer side lives in timer_service_impl.cpp.
#include <stdexcept>
#include <string>

#include <caf/actor_cast.hpp>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/facets/timer_service.hpp>

#include "timer_service/timer_service_impl.hpp"

namespace horae {

namespace {

timer_service_config checked(timer_service_config cfg) {
  if (auto err = validate(cfg))
    throw std::invalid_argument(describe(err));
  return cfg;
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

timer_service::timer_service(clock& clk, timer_service_config cfg)
  : impl_(std::make_unique<detail::timer_service_impl>(clk, checked(cfg))) {
  // nop
}

timer_service::~timer_service() {
  stop();
}

// -- timers -------------------------------------------------------------------

caf::expected<timer_handle>
timer_service::schedule(clock::time_point deadline,
                        const caf::strong_actor_ptr& target, uint64_t cookie) {
  return schedule(deadline, target.get(), cookie);
}

caf::expected<timer_handle>
timer_service::schedule(clock::time_point deadline,
                        caf::actor_control_block* target, uint64_t cookie) {
  using detail::timer_entry;
  using detail::timer_status;
  auto& st = *impl_;
  if (st.closed_.load(std::memory_order_acquire))
    return make_error(errc::closed, "timer_service: schedule after stop");
  if (!target)
    return make_error(errc::invalid_argument,
                      "timer_service: schedule with a null target actor");
  if (!st.within_range(deadline))
    return make_error(errc::out_of_range,
                      "timer_service: deadline is more than max_delay ("
                        + format_duration(st.max_delay_)
                        + ") in the future; raise resolution, "
                          "slots_per_level or levels for a longer range");
  auto e = st.own_cache().take(st.pool_, !is_alarm(cookie));
  e->deadline = deadline.time_since_epoch().count();
  e->cookie = cookie;
  e->target = caf::weak_actor_ptr{target};
  auto gen
    = timer_entry::generation_of(e->state.load(std::memory_order_relaxed));
  e->state.store(timer_entry::make_state(gen, timer_status::pending),
                 std::memory_order_relaxed);
  st.queue_.push(&e->schedule_node); // publishes the fields above
  if (e->deadline < st.sleep_until_.load(std::memory_order_seq_cst))
    st.request_wake();
  else
    st.note_command();
  return timer_handle{e, gen};
}

bool timer_service::cancel(timer_handle h) noexcept {
  using detail::timer_entry;
  using detail::timer_status;
  auto e = h.entry();
  if (e == nullptr)
    return false;
  auto& st = *impl_;
  auto expected
    = timer_entry::make_state(h.generation(), timer_status::pending);
  auto desired
    = timer_entry::make_state(h.generation(), timer_status::cancelled);
  if (!e->state.compare_exchange_strong(expected, desired,
                                        std::memory_order_acq_rel))
    return false;
  // The entry is ours until the cancel command below frees it.
  if (!is_alarm(e->cookie)) {
    auto& cache = st.own_cache();
    cache.add(cache.cancelled, 1);
  }
  st.queue_.push(&e->cancel_node);
  st.note_command();
  return true;
}

// -- observers ----------------------------------------------------------------

size_t timer_service::pending() const noexcept {
  auto& st = *impl_;
  int64_t n = -st.retired();
  for (auto& cache : st.caches_)
    n += cache.scheduled.load(std::memory_order_relaxed)
         - cache.cancelled.load(std::memory_order_relaxed)
         + cache.queued.load(std::memory_order_relaxed);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

uint64_t timer_service::fired() const noexcept {
  auto n = impl_->fired();
  for (auto& cache : impl_->caches_)
    n += static_cast<uint64_t>(
      cache.queued_fired.load(std::memory_order_relaxed));
  return n;
}

void timer_service::note_queued(int64_t delta) noexcept {
  auto& cache = impl_->own_cache();
  cache.add(cache.queued, delta);
}

void timer_service::note_queued_delivered() noexcept {
  auto& cache = impl_->own_cache();
  cache.add(cache.queued, -1);
  cache.add(cache.queued_fired, 1);
}

void timer_service::note_stale_fire() noexcept {
  impl_->stale_fires_.fetch_add(1, std::memory_order_relaxed);
}

void timer_service::note_coalesced(uint64_t ticks) noexcept {
  impl_->coalesced_ticks_.fetch_add(ticks, std::memory_order_relaxed);
}

uint64_t timer_service::stale_fires() const noexcept {
  return impl_->stale_fires_.load(std::memory_order_relaxed);
}

uint64_t timer_service::coalesced_ticks() const noexcept {
  return impl_->coalesced_ticks_.load(std::memory_order_relaxed);
}

clock::duration timer_service::max_delay() const noexcept {
  return impl_->max_delay_;
}

const timer_service_config& timer_service::config() const noexcept {
  return impl_->cfg_;
}

std::string_view timer_service::name() const noexcept {
  return "timer_service";
}

// -- lifecycle ----------------------------------------------------------------

void timer_service::start() {
  auto& st = *impl_;
  if (st.closed_.load() || st.clk_.is_manual())
    return;
  st.start_thread();
}

void timer_service::stop() {
  auto& st = *impl_;
  if (st.closed_.exchange(true))
    return;
  st.stop_thread();
  st.drop_all();
}

size_t timer_service::poll() {
  return impl_->poll();
}

} // namespace horae
