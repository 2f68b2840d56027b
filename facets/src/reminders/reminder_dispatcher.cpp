// Loading, delivery, outcomes, retries and bookkeeping of reminder fires.
#include "reminders/reminder_dispatcher.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/timer_due.hpp>
#include <horae/facets/timer_service.hpp>

#include "reminders/write_tracker.hpp"
#include <spdlog/spdlog.h>

namespace horae::detail {

namespace {

// The dispatcher's own timers; every reminder's timer is keyed.
constexpr uint64_t refill_cookie = 0;

constexpr uint64_t throttle_cookie = 1;

// A failed store write is retried after this pause.
constexpr auto store_retry_delay = std::chrono::seconds{1};

// Least time between two summaries of a lasting store fault.
constexpr auto fault_summary_interval = std::chrono::seconds{30};

// Paces loading a large window at about `load-batch` rows per pause.
constexpr auto next_batch_delay = std::chrono::milliseconds{100};

bool is_closed(const caf::error& err) {
  return code_of(err) == errc::closed;
}

std::string describe_outcome(message_outcome x) {
  switch (x) {
    case message_outcome::unhandled:
      return "the behaviour has no handler for reminder_fired";
    case message_outcome::threw:
      return "the handler threw";
    default:
      return std::string{to_string(x)};
  }
}

auto reminders_log() {
  return logging::logger("reminders");
}

} // namespace

reminder_dispatcher::reminder_dispatcher(reminder_service& svc,
                                         timer_service& timers)
  : service_(&svc), timers_(&timers),
    tardiness_(&svc.owner().metrics().add_histogram(
      "horae_reminder_tardiness_seconds",
      "how late reminder fires reach the registry after their due time",
      {std::chrono::milliseconds{1}, std::chrono::milliseconds{10},
       std::chrono::milliseconds{100}, std::chrono::seconds{1},
       std::chrono::seconds{10}, std::chrono::minutes{1},
       std::chrono::minutes{10}})),
    redelivered_(&svc.owner().metrics().add_counter(
      "horae_reminders_redelivered_total",
      "reminder deliveries after a failed attempt")),
    store_read_faults_("reading reminder store " + svc.config().db_path,
                       fault_summary_interval),
    store_write_faults_("writing reminder store " + svc.config().db_path,
                        fault_summary_interval) {
  // nop
}

caf::behavior reminder_dispatcher::make_behavior(actor* self) {
  self_ = self;
  entries_.bind(self, timers_);
  theoretical_arrival_ = self->clock().now();
  self->set_down_handler([this](caf::down_msg& x) { on_down(x); });
  // This state outlives the actor (and maybe the runtime's services): the
  // window's timers go back to the service while it certainly exists.
  self->attach_functor([this] {
    entries_.clear();
    entries_.bind(nullptr, nullptr);
  });
  refill();
  return {
    [this](const timer_due& x) {
      if (x.cookie == refill_cookie)
        refill();
      else if (x.cookie == throttle_cookie)
        drain_throttled();
      else
        on_due(x);
    },
    [this](const reminder_received& x) { on_received(x); },
    [this](const reminder_ack& x) { on_ack(x); },
    [this](const fire_recorded& x) { on_recorded(x); },
    // Mutable: the dispatcher is the only receiver, so the record moves.
    [this](reminder_changed& x) { on_changed(std::move(x.record)); },
    [this](const reminder_removed& x) { on_removed(x.key); },
    [this](const type_defined& x) { on_type_defined(x.type); },
    [this](ownership_changed_atom) { on_ownership_changed(); },
  };
}

// -- window -------------------------------------------------------------------

void reminder_dispatcher::refill() {
  auto& clk = self_->clock();
  const auto& cfg = service_->config();
  auto space = room();
  if (space == 0) {
    // A backlog larger than the window: the rest stays in the store until
    // fires leave the window (see `erase`).
    window_full_ = true;
    return;
  }
  auto want = std::min(cfg.load_batch, space);
  auto limit = clk.wall_now() + cfg.lookahead;
  auto rows = service_->store().due_after(loaded_through_, limit, want);
  if (!rows) {
    if (is_closed(rows.error()))
      return; // shutting down
    store_read_faults_.failure(rows.error(), clk.now());
    schedule_refill(
      std::min<clock::duration>(cfg.lookahead / 2, store_retry_delay));
    return;
  }
  store_read_faults_.success(clk.now());
  for (auto& rec : *rows)
    if (!entries_.find(rec.key))
      load(std::move(rec));
  if (rows->size() >= want) {
    // More rows may wait behind a full batch: continue after its last row.
    loaded_through_ = due_position::of(rows->back());
    if (room() == 0)
      window_full_ = true;
    else
      schedule_refill(next_batch_delay);
    return;
  }
  // The whole window is loaded. Re-read well before its end so that nothing
  // due is missed; only reminders due after `limit` will be new then.
  loaded_through_ = std::max(loaded_through_, due_position::before(limit));
  schedule_refill(cfg.lookahead / 2);
}

void reminder_dispatcher::schedule_refill(clock::duration delay) {
  timers_->cancel(refill_timer_);
  auto handle = timers_->schedule(self_->clock().now() + delay,
                                  caf::actor_cast<caf::strong_actor_ptr>(self_),
                                  refill_cookie);
  if (handle)
    refill_timer_ = *handle;
  else if (!is_closed(handle.error())) // closed: shutting down
    reminders_log()->error("cannot schedule the next window refill: {}",
                           describe(handle.error()));
}

size_t reminder_dispatcher::room() const noexcept {
  auto most = service_->config().max_window;
  return entries_.size() < most ? most - entries_.size() : 0;
}

bool reminder_dispatcher::in_window(const reminder_record& rec) const {
  // Rows the cursor passed are never read again, so they must stay loaded
  // (this matters after the wall clock went back, or for a write due before
  // the loaded part of a backlog). Anything else is loaded only while there
  // is room; a later refill reads it otherwise.
  if (!(loaded_through_ < due_position::of(rec)))
    return true;
  return rec.due <= self_->clock().wall_now() + service_->config().lookahead
         && room() > 0;
}

void reminder_dispatcher::reload(const reminder_key& key) {
  auto row = service_->store().get(key);
  if (!row) {
    if (is_closed(row.error()))
      return;
    // Unknown state: read the whole window again rather than risk a row
    // that is neither loaded nor ahead of the cursor.
    reminders_log()->error("cannot re-read reminder {}: {}", to_string(key),
                           describe(row.error()));
    loaded_through_ = due_position::start();
    return;
  }
  if (*row && in_window(**row))
    load(std::move(**row));
}

void reminder_dispatcher::load(reminder_record rec) {
  auto id = entries_.emplace(rec.key).first;
  auto& e = entries_.value(id);
  e = entry{};
  e.slot = id;
  e.rec = std::move(rec);
  e.rec.key = reminder_key{}; // kept once, in the table
  arm(entries_.key(id), e, self_->clock().to_monotonic(e.rec.due));
  service_->counters_->note_window(entries_.size());
}

reminder_dispatcher::entry* reminder_dispatcher::find(const reminder_key& key) {
  auto id = entries_.find(key);
  return id ? &entries_.value(*id) : nullptr;
}

void reminder_dispatcher::erase(entry& e) {
  unwatch(entries_.key(e.slot), e);
  entries_.erase(e.slot);
  service_->counters_->note_window(entries_.size());
  if (!window_full_)
    return;
  // Refill in batches rather than for every fire that leaves.
  const auto& cfg = service_->config();
  auto threshold
    = std::max<size_t>(1, std::min(cfg.load_batch, cfg.max_window / 4));
  if (room() >= threshold) {
    window_full_ = false;
    schedule_refill(clock::duration::zero());
  }
}

bool reminder_dispatcher::owns(const reminder_key& key) const {
  const auto& owns = service_->config().owns;
  return !owns || owns(key);
}

void reminder_dispatcher::on_ownership_changed() {
  // Reminders of partitions given up leave the window: their new holder
  // fires them. Fires already handed to an actor still complete (their
  // records are fenced if the partition moved on).
  std::vector<entry*> lost;
  entries_.for_each([this, &lost](auto id) {
    auto& e = entries_.value(id);
    if (!owns(entries_.key(id)) && e.state == phase::waiting)
      lost.push_back(&e);
  });
  for (auto* e : lost)
    erase(*e); // erasing disarms

  // Partitions taken over may hold overdue rows behind the cursor: read
  // the window again from the start (loaded rows are not loaded twice).
  loaded_through_ = due_position::start();
  window_full_ = false;
  refill();
}

// -- timers -------------------------------------------------------------------

void reminder_dispatcher::arm(const reminder_key& key, entry& e,
                              clock::time_point deadline) {
  // A past deadline fires at once; one beyond the wheel's range hops.
  auto err = entries_.arm(e.slot, deadline);
  if (err && !is_closed(*err)) // closed: shutting down
    reminders_log()->error("cannot schedule reminder {}: {}", to_string(key),
                           describe(*err));
}

void reminder_dispatcher::disarm(entry& e) {
  entries_.disarm(e.slot);
}

void reminder_dispatcher::on_due(const timer_due& due) {
  auto id = entries_.accept(due);
  if (!id)
    return; // cancelled, re-armed, or a hop towards a distant due time
  // A copy: the entry may leave the table while this fire is handled.
  auto key = entries_.key(*id);
  auto& e = entries_.value(*id);
  switch (e.state) {
    case phase::waiting:
      begin_attempt(key, e);
      break;
    case phase::sent:
      // Never reached the behaviour: lost on the way, or the actor type
      // has no ReminderFacet to report on it.
      failed_attempt(key, e,
                     "not received by its actor within horae.reminders."
                     "ack-timeout");
      break;
    case phase::recording:
      record(key, e, e.outcome); // retry after a failed write
      break;
    default:
      break; // no timer runs in the other phases
  }
}

// -- delivery -----------------------------------------------------------------

void reminder_dispatcher::begin_attempt(const reminder_key& key, entry& e) {
  // In a cluster, only the partition's holder fires; a fire this node lost
  // meanwhile is its successor's now.
  if (!owns(key)) {
    erase(e);
    return;
  }
  auto& clk = self_->clock();
  auto now_wall = clk.wall_now();
  if (now_wall < e.rec.due) { // never early, whatever the clocks did
    arm(key, e, clk.to_monotonic(e.rec.due));
    return;
  }
  if (e.fire_id == 0) {
    e.plan = plan_fire(e.rec, now_wall);
    if (!e.plan.deliver) {
      record(key, e, reminder_store::fire_outcome::delivered);
      return;
    }
    e.fire_id = ++next_fire_;
    e.attempt = 0;
  }
  ++e.attempt;
  send_or_queue(key, e);
}

void reminder_dispatcher::send_or_queue(const reminder_key& key, entry& e) {
  auto retry_at = self_->clock().now();
  // Behind a non-empty queue, a fire waits its turn even if a token is
  // free: the queue is in due order.
  if (throttled_.empty() && take_token(retry_at, retry_at)) {
    send(key, e);
    return;
  }
  e.state = phase::throttled;
  throttled_.emplace_back(key, e.fire_id);
  if (!throttle_armed_)
    arm_throttle(retry_at);
}

void reminder_dispatcher::arm_throttle(clock::time_point when) {
  // One timer for the whole queue, set to the next token's time: waiting
  // fires cost nothing until then, however many there are.
  auto handle = timers_->schedule(
    when, caf::actor_cast<caf::strong_actor_ptr>(self_), throttle_cookie);
  throttle_armed_ = static_cast<bool>(handle);
  if (!handle && !is_closed(handle.error()))
    reminders_log()->error("cannot schedule throttled deliveries: {}",
                           describe(handle.error()));
}

void reminder_dispatcher::drain_throttled() {
  throttle_armed_ = false;
  auto& clk = self_->clock();
  while (!throttled_.empty()) {
    auto& [key, fire_id] = throttled_.front();
    auto e = find(key);
    if (e == nullptr || e->state != phase::throttled || e->fire_id != fire_id) {
      throttled_.pop_front(); // moved on meanwhile
      continue;
    }
    clock::time_point retry_at;
    if (!take_token(clk.now(), retry_at)) {
      arm_throttle(retry_at);
      return;
    }
    auto k = std::move(key);
    throttled_.pop_front();
    send(k, *e);
  }
}

bool reminder_dispatcher::take_token(clock::time_point now,
                                     clock::time_point& retry_at) {
  // One delivery per `interval`, with a burst of one second's worth.
  auto rate = static_cast<int64_t>(service_->config().max_delivery_rate);
  auto interval = clock::duration{std::chrono::seconds{1}} / rate;
  auto tolerance = interval * (rate - 1);
  auto tat = std::max(theoretical_arrival_, now);
  if (tat - now > tolerance) {
    retry_at = tat - tolerance;
    return false;
  }
  theoretical_arrival_ = tat + interval;
  return true;
}

void reminder_dispatcher::send(const reminder_key& key, entry& e) {
  auto now_wall = self_->clock().wall_now();
  reminder_delivery msg{key, e.fire_id,
                        reminder_fired{key.name, e.rec.payload,
                                       e.plan.fire_count, e.rec.due, now_wall,
                                       e.plan.missed, e.attempt},
                        caf::actor_cast<caf::actor>(self_)};
  // Straight to the registry: it reports an undefined type itself, so a
  // virtual_ref (one more lookup under the lock) would only add work.
  auto err = service_->owner().registry().deliver(
    key.actor_type, key.actor_key, nullptr, caf::make_message(std::move(msg)));
  if (!err) {
    ++service_->counters_->delivered;
    if (e.attempt > 1)
      redelivered_->add();
    else
      tardiness_->observe(
        std::max(clock::duration::zero(), now_wall - e.rec.due));
    e.state = phase::sent;
    arm(key, e, self_->clock().now() + service_->config().ack_timeout);
    return;
  }
  if (is_closed(err)) {
    e.state = phase::waiting; // shutting down; the row stays due
    return;
  }
  if (code_of(err) == errc::not_found) {
    // Typical right after a restart: the application defines its types
    // after the runtime started. The fire goes out as soon as it does.
    auto& waiting = awaiting_type_[key.actor_type];
    if (waiting.empty())
      reminders_log()->info(
        "reminders of actor type '{}' wait until it is defined",
        key.actor_type);
    waiting.emplace_back(key, e.fire_id);
    e.state = phase::awaiting_type;
    --e.attempt; // it was never delivered
    return;
  }
  failed_attempt(key, e, describe(err));
}

void reminder_dispatcher::on_type_defined(const std::string& type) {
  auto i = awaiting_type_.find(type);
  if (i == awaiting_type_.end())
    return;
  auto waiting = std::move(i->second);
  awaiting_type_.erase(i);
  for (auto& [key, fire_id] : waiting) {
    auto e = fire_under_way(key, fire_id);
    if (e != nullptr && e->state == phase::awaiting_type) {
      ++e->attempt;
      send_or_queue(key, *e);
    }
  }
}

// -- outcomes -----------------------------------------------------------------

reminder_dispatcher::entry*
reminder_dispatcher::fire_under_way(const reminder_key& key, uint64_t fire_id) {
  auto e = find(key);
  if (e == nullptr || e->fire_id != fire_id || e->state == phase::recording)
    return nullptr; // a late report of a replaced or finished fire
  return e;
}

void reminder_dispatcher::on_received(const reminder_received& msg) {
  auto e = fire_under_way(msg.key, msg.fire_id);
  if (e == nullptr || e->state == phase::handling)
    return;
  // Whatever phase the fire was in (sent, or already waiting for a retry
  // after the ack-timeout), this copy reached a behaviour: wait for it.
  disarm(*e);
  e->state = phase::handling;
  watch(msg.key, *e, msg.handler);
}

void reminder_dispatcher::on_ack(const reminder_ack& msg) {
  auto e = fire_under_way(msg.key, msg.fire_id);
  if (e == nullptr)
    return;
  disarm(*e);
  unwatch(msg.key, *e);
  if (msg.outcome == message_outcome::handled)
    record(msg.key, *e, reminder_store::fire_outcome::delivered);
  else
    failed_attempt(msg.key, *e, describe_outcome(msg.outcome));
}

void reminder_dispatcher::on_down(const caf::down_msg& msg) {
  auto i = handlers_.find(msg.source);
  if (i == handlers_.end())
    return;
  auto fires = std::move(i->second);
  handlers_.erase(i);
  for (auto& [key, fire_id] : fires) {
    auto e = fire_under_way(key, fire_id);
    if (e == nullptr || e->state != phase::handling)
      continue;
    e->handler = caf::actor_addr{};
    failed_attempt(key, *e, "its activation ended before handling it");
  }
}

void reminder_dispatcher::failed_attempt(const reminder_key& key, entry& e,
                                         const std::string& reason) {
  ++service_->counters_->failed_attempts;
  const auto& policy
    = e.rec.on_failure ? *e.rec.on_failure : service_->config().on_failure;
  if (retries_left(policy, e.attempt)) {
    auto delay = retry_delay_after(policy, e.attempt);
    // The first failure is news; later ones of the same fire are noise.
    auto level = e.attempt == 1 ? spdlog::level::warn : spdlog::level::debug;
    reminders_log()->log(
      level, "reminder {} fire {} attempt {} failed: {}; retrying in {} ms",
      to_string(key), e.plan.fire_count, e.attempt, reason,
      std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
    e.state = phase::waiting;
    arm(key, e, self_->clock().now() + delay);
    return;
  }
  reminders_log()->warn("reminder {} fire {} given up after {} attempt(s): {}",
                        to_string(key), e.plan.fire_count, e.attempt, reason);
  ++service_->counters_->dropped_fires;
  record(key, e, reminder_store::fire_outcome::failed);
}

void reminder_dispatcher::watch(const reminder_key& key, entry& e,
                                caf::actor_addr handler) {
  auto& fires = handlers_[handler];
  if (fires.empty())
    self_->monitor(handler);
  fires.emplace_back(key, e.fire_id);
  e.handler = std::move(handler);
}

void reminder_dispatcher::unwatch(const reminder_key& key, entry& e) {
  if (!e.handler)
    return;
  auto i = handlers_.find(e.handler);
  if (i != handlers_.end()) {
    auto& fires = i->second;
    fires.erase(
      std::remove_if(fires.begin(), fires.end(),
                     [&](const queued_fire& x) { return x.first == key; }),
      fires.end());
    if (fires.empty()) {
      self_->demonitor(e.handler);
      handlers_.erase(i);
    }
  }
  e.handler = caf::actor_addr{};
}

// -- bookkeeping --------------------------------------------------------------

void reminder_dispatcher::record(const reminder_key& key, entry& e,
                                 reminder_store::fire_outcome outcome) {
  e.state = phase::recording;
  e.outcome = outcome;
  auto me = caf::actor_cast<caf::actor>(self_);
  auto id = e.fire_id;
  service_->record_fire(
    key, e.rec.revision, e.plan.fire_count, e.plan.next_due, outcome,
    [me, key, id](caf::expected<bool> applied) {
      caf::anon_send(me,
                     fire_recorded{key, id, applied && *applied,
                                   applied ? caf::error{} : applied.error()});
    });
}

void reminder_dispatcher::on_recorded(const fire_recorded& msg) {
  auto found = find(msg.key);
  if (found == nullptr || found->state != phase::recording
      || found->fire_id != msg.fire_id)
    return;
  auto& e = *found;
  if (msg.error) {
    if (is_closed(msg.error))
      return; // shutting down; the fire is delivered again after restart
    if (code_of(msg.error) == errc::not_owner) {
      // The partition moved on while this fire was out: its new holder
      // loads the row as it was and fires it again (at-least-once).
      erase(e);
      return;
    }
    // One fault for the whole store, not a line per reminder and retry.
    store_write_faults_.failure(msg.error, self_->clock().now());
    arm(msg.key, e, self_->clock().now() + store_retry_delay);
    return;
  }
  store_write_faults_.success(self_->clock().now());
  if (!msg.applied) {
    // Changes made through this runtime reach the dispatcher before the
    // fire's record (same store thread, in order) and reset the entry, so
    // the row was replaced or deleted from outside, e.g. by the admin tool.
    reminders_log()->info(
      "reminder {} was changed outside this runtime; re-reading it",
      to_string(msg.key));
    erase(e);
    reload(msg.key);
    return;
  }
  if (!e.plan.next_due) {
    erase(e);
    return;
  }
  e.rec.due = *e.plan.next_due;
  e.rec.fire_count = e.plan.fire_count;
  if (e.outcome == reminder_store::fire_outcome::failed)
    ++e.rec.failed_fires;
  e.fire_id = 0;
  e.attempt = 0;
  e.state = phase::waiting;
  auto& clk = self_->clock();
  // Keeping its own slot needs no room: `in_window` counts it already.
  if (!(loaded_through_ < due_position::of(e.rec))
      || e.rec.due <= clk.wall_now() + service_->config().lookahead)
    arm(msg.key, e, clk.to_monotonic(e.rec.due));
  else
    erase(e); // outside the window; a later refill loads it
}

void reminder_dispatcher::on_changed(reminder_record rec) {
  if (auto e = find(rec.key))
    erase(*e);
  if (in_window(rec))
    load(std::move(rec));
}

void reminder_dispatcher::on_removed(const reminder_key& key) {
  if (auto e = find(key))
    erase(*e);
}

} // namespace horae::detail
