// Consumer side of the timer service: applies schedule/cancel commands to the
// wheel, advances it to the clock and delivers due timers.
#include "timer_service/timer_service_impl.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>
#include <caf/message_id.hpp>

#include <horae/facets/timer_due.hpp>
#include <horae/facets/timer_service.hpp>

namespace horae::detail {

namespace {

int64_t ns_of(clock::time_point t) noexcept {
  return t.time_since_epoch().count();
}

// resolution * (slots^levels - 1), saturating at 100 years so that deadline
// arithmetic in int64 nanoseconds can never overflow.
clock::duration compute_max_delay(const timer_service_config& cfg) {
  constexpr int64_t cap = int64_t{100} * 365 * 24 * 3600 * 1'000'000'000;
  auto res = cfg.resolution.count();
  int64_t ticks = 1;
  for (uint32_t i = 0; i < cfg.levels; ++i) {
    if (ticks > cap / static_cast<int64_t>(cfg.slots_per_level))
      return clock::duration{cap};
    ticks *= cfg.slots_per_level;
  }
  ticks -= 1;
  if (ticks > cap / res)
    return clock::duration{cap};
  return clock::duration{ticks * res};
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

timer_service_impl::timer_service_impl(clock& clk, timer_service_config cfg)
  : clk_(clk), cfg_(cfg), max_delay_(compute_max_delay(cfg)),
    wheel_(ns_of(clk.now()), cfg.resolution.count(), cfg.slots_per_level,
           cfg.levels),
    recycler_(pool_) {
  caches_[entry_cache::shared_index].shared = true;
  recent_now_.store(ns_of(clk.now()), std::memory_order_relaxed);
}

timer_service_impl::~timer_service_impl() {
  stop_thread();
}

// -- producer side ------------------------------------------------------------

void timer_service_impl::note_command() noexcept {
  thread_local uint32_t since_wake __attribute__((tls_model("initial-exec")))
  = 0;
  if (++since_wake >= backlog_wake_interval) {
    since_wake = 0;
    if (sleep_until_.load(std::memory_order_relaxed) != awake)
      request_wake();
  }
}

void timer_service_impl::request_wake() noexcept {
  if (wake_requested_.exchange(true, std::memory_order_acq_rel))
    return; // someone else already woke (or is waking) the thread
  std::lock_guard<std::mutex> guard{wake_mtx_};
  wake_cv_.notify_one();
}

// -- consumer side ------------------------------------------------------------

void timer_service_impl::drain_commands() {
  while (auto node = queue_.pop()) {
    auto e = timer_entry::from_node(node);
    if (node == &e->schedule_node) {
      // A timer cancelled before we ever saw it stays out of the wheel; its
      // cancel command (queued behind this one) frees it.
      auto st = e->state.load(std::memory_order_acquire);
      if (timer_entry::status_of(st) == timer_status::pending)
        wheel_.insert(e);
    } else {
      wheel_.remove(e);
      recycler_.recycle(e);
    }
  }
}

size_t timer_service_impl::poll(int64_t* next_wake) {
  // Due entries are chained through `next` and delivered after unlocking:
  // enqueueing into a mailbox may wake threads or run arbitrary code.
  entry_chain due;
  std::unique_lock<std::mutex> guard{poll_mtx_};
  drain_commands();
  auto now = ns_of(clk_.now());
  recent_now_.store(now, std::memory_order_relaxed);
  auto n = wheel_.advance(now, [&](timer_entry* e) {
    auto st = e->state.load(std::memory_order_relaxed);
    auto gen = timer_entry::generation_of(st);
    auto pending = timer_entry::make_state(gen, timer_status::pending);
    auto fired = timer_entry::make_state(gen, timer_status::fired);
    if (e->state.compare_exchange_strong(pending, fired,
                                         std::memory_order_acq_rel))
      due.push(e);
    // else: cancelled meanwhile; the queued cancel command frees it.
  });
  if (next_wake != nullptr) {
    *next_wake = wheel_.next_deadline().value_or(idle);
  }
  guard.unlock();
  if (due.empty())
    return n;
  // `due` was filled by push(), i.e. in reverse; fire in deadline order.
  // Alarms are not timers of their own: their owners count what they hold.
  entry_chain ordered;
  int64_t count = 0;
  while (!due.empty()) {
    auto e = due.pop();
    if (!timer_service::is_alarm(e->cookie))
      ++count;
    ordered.push(e);
  }
  // A fired timer stops counting as pending before its fire can be seen:
  // a receiver that asks `pending()` after handling it gets a settled count.
  retired_.fetch_add(count, std::memory_order_relaxed);
  fired_.fetch_add(static_cast<uint64_t>(count), std::memory_order_relaxed);
  entry_recycler recycler{pool_};
  auto fired_at = clk_.now();
  while (!ordered.empty()) {
    auto e = ordered.pop();
    if (auto dst = caf::actor_cast<caf::strong_actor_ptr>(e->target)) {
      timer_due msg{e->cookie, clock::time_point{clock::duration{e->deadline}},
                    fired_at};
      dst->enqueue(nullptr, caf::make_message_id(), caf::make_message(msg),
                   nullptr);
    }
    recycler.recycle(e);
  }
  return n;
}

void timer_service_impl::drop_all() {
  std::lock_guard<std::mutex> guard{poll_mtx_};
  drain_commands();
  int64_t dropped = 0;
  wheel_.clear([&](timer_entry* e) {
    auto st = e->state.load(std::memory_order_relaxed);
    auto gen = timer_entry::generation_of(st);
    auto pending = timer_entry::make_state(gen, timer_status::pending);
    auto fired = timer_entry::make_state(gen, timer_status::fired);
    if (e->state.compare_exchange_strong(pending, fired,
                                         std::memory_order_acq_rel)) {
      if (!timer_service::is_alarm(e->cookie))
        ++dropped;
      recycler_.recycle(e);
    }
  });
  // Cancels that raced with the loop above free their entries here.
  drain_commands();
  recycler_.flush();
  retired_.fetch_add(dropped, std::memory_order_relaxed);
}

} // namespace horae::detail
