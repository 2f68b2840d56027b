// Loading, delivery, acknowledgement and bookkeeping of reminder fires.
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

#include <spdlog/spdlog.h>

namespace horae::detail {

namespace {

constexpr uint64_t refill_cookie = 0;

// A failed store write is retried after this pause.
constexpr auto store_retry_delay = std::chrono::seconds{1};

} // namespace

reminder_dispatcher::reminder_dispatcher(reminder_service& svc,
                                         timer_service& timers)
  : service_(&svc), timers_(&timers) {
  // nop
}

caf::behavior reminder_dispatcher::make_behavior(actor* self) {
  self_ = self;
  theoretical_arrival_ = self->clock().now();
  refill();
  return {
    [this](const timer_due& x) {
      if (x.cookie == refill_cookie)
        refill();
      else
        on_due(x.cookie);
    },
    [this](const reminder_ack& x) { on_ack(x); },
    [this](const fire_recorded& x) { on_recorded(x); },
    // Mutable: the dispatcher is the only receiver, so the record moves.
    [this](reminder_changed& x) { on_changed(std::move(x.record)); },
    [this](const reminder_removed& x) { on_removed(x.key); },
  };
}

// -- window management --------------------------------------------------------

void reminder_dispatcher::refill() {
  auto& clk = self_->clock();
  const auto& cfg = service_->config();
  auto limit = clk.wall_now() + cfg.lookahead;
  auto rows = service_->store().due_after(loaded_through_, limit,
                                          cfg.load_batch);
  if (!rows) {
    logging::logger("reminders")
      ->error("cannot load due reminders: {}", describe(rows.error()));
    schedule_refill(std::min<clock::duration>(cfg.lookahead / 2,
                                              store_retry_delay));
    return;
  }
  for (auto& rec : *rows)
    if (entries_.count(rec.key) == 0)
      load(std::move(rec));
  if (rows->size() >= cfg.load_batch) {
    // More rows may wait behind a full batch: continue after its last row
    // soon, which paces loading at about `load-batch` rows per 100 ms.
    loaded_through_ = due_position::of(rows->back());
    schedule_refill(std::chrono::milliseconds{100});
    return;
  }
  // The whole window is loaded. Re-read well before its end so that nothing
  // due is missed; only reminders due after `limit` will be new then.
  loaded_through_ = std::max(loaded_through_, due_position::before(limit));
  schedule_refill(cfg.lookahead / 2);
}

void reminder_dispatcher::schedule_refill(clock::duration delay) {
  // The refill is never cancelled, so its handle is not kept. Scheduling
  // fails only once the timer service stopped, i.e. during shutdown.
  auto handle = timers_->schedule(self_->clock().now() + delay,
                                  caf::actor_cast<caf::strong_actor_ptr>(self_),
                                  refill_cookie);
  if (!handle && code_of(handle.error()) != errc::closed)
    logging::logger("reminders")
      ->error("cannot schedule the next window refill: {}",
              describe(handle.error()));
}

bool reminder_dispatcher::in_window(const reminder_record& rec) const {
  // The second test matters only after the wall clock went back: rows the
  // cursor passed are never read again, so they must stay loaded.
  return rec.due <= self_->clock().wall_now() + service_->config().lookahead
         || !(loaded_through_ < due_position::of(rec));
}

void reminder_dispatcher::reload(const reminder_key& key) {
  auto row = service_->store().get(key);
  if (!row) {
    // Unknown state: read the whole window again rather than risk a row
    // that is neither loaded nor ahead of the cursor.
    logging::logger("reminders")
      ->error("cannot re-read reminder {}: {}", to_string(key),
              describe(row.error()));
    loaded_through_ = due_position::start();
    return;
  }
  if (*row && in_window(**row))
    load(std::move(**row));
}

void reminder_dispatcher::load(reminder_record rec) {
  auto key = rec.key;
  auto& e = entries_[key];
  e = entry{};
  e.rec = std::move(rec);
  arm(key, e, self_->clock().to_monotonic(e.rec.due));
}

void reminder_dispatcher::arm(const reminder_key& key, entry& e,
                              clock::time_point deadline) {
  disarm(e);
  e.cookie = next_cookie_++;
  by_cookie_.emplace(e.cookie, key);
  auto now = self_->clock().now();
  deadline = std::clamp(deadline, now, now + timers_->max_delay());
  auto handle = timers_->schedule(
    deadline, caf::actor_cast<caf::strong_actor_ptr>(self_), e.cookie);
  if (handle)
    e.handle = *handle;
  else if (code_of(handle.error()) != errc::closed) // closed: shutting down
    logging::logger("reminders")
      ->error("cannot schedule reminder {}: {}", to_string(key),
              describe(handle.error()));
}

void reminder_dispatcher::disarm(entry& e) {
  if (e.cookie == 0)
    return;
  timers_->cancel(e.handle);
  by_cookie_.erase(e.cookie);
  e.cookie = 0;
  e.handle = timer_handle{};
}

// -- delivery -----------------------------------------------------------------

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

void reminder_dispatcher::on_due(uint64_t cookie) {
  auto i = by_cookie_.find(cookie);
  if (i == by_cookie_.end())
    return; // cancelled or replaced
  auto key = i->second;
  by_cookie_.erase(i);
  auto& e = entries_.at(key);
  e.cookie = 0;
  e.handle = timer_handle{};
  switch (e.state) {
    case phase::waiting:
      deliver(key, e);
      break;
    case phase::in_flight:
      // No ack within the timeout: the actor crashed or is stuck.
      logging::logger("reminders")
        ->warn("reminder {} was not acknowledged within {} ms; delivering "
               "again",
               to_string(key),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                 service_->config().ack_timeout)
                 .count());
      e.state = phase::waiting;
      deliver(key, e);
      break;
    case phase::recording:
      record(key, e); // retry after a failed write
      break;
  }
}

void reminder_dispatcher::deliver(const reminder_key& key, entry& e) {
  auto& clk = self_->clock();
  auto now_wall = clk.wall_now();
  if (now_wall < e.rec.due) { // never early, whatever the clocks did
    arm(key, e, clk.to_monotonic(e.rec.due));
    return;
  }
  e.plan = plan_fire(e.rec, now_wall);
  if (!e.plan.deliver) {
    record(key, e);
    return;
  }
  clock::time_point retry_at;
  if (!take_token(clk.now(), retry_at)) {
    arm(key, e, retry_at);
    return;
  }
  e.delivery_id = ++next_delivery_;
  reminder_delivery msg{key, e.delivery_id,
                        reminder_fired{key.name, e.rec.payload,
                                       e.plan.fire_count, e.rec.due, now_wall,
                                       e.plan.missed},
                        caf::actor_cast<caf::actor>(self_)};
  // Straight to the registry: it reports an undefined type itself, so a
  // virtual_ref (one more lookup under the lock) would only add work.
  auto err = service_->owner().registry().deliver(
    key.actor_type, key.actor_key, nullptr, caf::make_message(std::move(msg)));
  e.state = phase::in_flight;
  if (err && code_of(err) == errc::closed)
    return; // the runtime is shutting down; the row stays due in the store
  if (err) {
    logging::logger("reminders")
      ->error("cannot deliver reminder {}: {}; retrying later",
              to_string(key), describe(err));
  } else {
    service_->count_delivery();
  }
  arm(key, e, clk.now() + service_->config().ack_timeout);
}

void reminder_dispatcher::record(const reminder_key& key, entry& e) {
  e.state = phase::recording;
  auto me = caf::actor_cast<caf::actor>(self_);
  auto id = e.delivery_id;
  service_->record_fire(key, e.rec.revision, e.plan.fire_count,
                        e.plan.next_due,
                        [me, key, id](caf::expected<bool> applied) {
                          caf::anon_send(me, fire_recorded{
                                               key, id,
                                               applied && *applied,
                                               applied ? caf::error{}
                                                       : applied.error()});
                        });
}

void reminder_dispatcher::on_ack(const reminder_ack& ack) {
  auto i = entries_.find(ack.key);
  if (i == entries_.end() || i->second.state != phase::in_flight
      || i->second.delivery_id != ack.delivery_id)
    return; // a late ack of a replaced reminder or of an earlier delivery
  disarm(i->second);
  record(ack.key, i->second);
}

void reminder_dispatcher::on_recorded(const fire_recorded& msg) {
  auto i = entries_.find(msg.key);
  if (i == entries_.end() || i->second.state != phase::recording
      || i->second.delivery_id != msg.delivery_id)
    return;
  auto& e = i->second;
  if (msg.error) {
    logging::logger("reminders")
      ->error("cannot record fire of {}: {}; retrying", to_string(msg.key),
              describe(msg.error));
    arm(msg.key, e, self_->clock().now() + store_retry_delay);
    return;
  }
  if (!msg.applied) {
    // Changes made through this runtime reach the dispatcher before the
    // fire's record (same store thread, in order) and reset the entry, so
    // the row was replaced or deleted from outside, e.g. by the admin tool.
    logging::logger("reminders")
      ->info("reminder {} was changed outside this runtime; re-reading it",
             to_string(msg.key));
    disarm(e);
    entries_.erase(i);
    reload(msg.key);
    return;
  }
  if (!e.plan.next_due) {
    disarm(e);
    entries_.erase(i);
    return;
  }
  e.rec.due = *e.plan.next_due;
  e.rec.fire_count = e.plan.fire_count;
  e.state = phase::waiting;
  auto& clk = self_->clock();
  if (in_window(e.rec)) {
    arm(msg.key, e, clk.to_monotonic(e.rec.due));
  } else {
    disarm(e);
    entries_.erase(i); // outside the window; a later refill loads it
  }
}

void reminder_dispatcher::on_changed(reminder_record rec) {
  auto i = entries_.find(rec.key);
  if (i != entries_.end()) {
    disarm(i->second);
    entries_.erase(i);
  }
  if (in_window(rec))
    load(std::move(rec));
}

void reminder_dispatcher::on_removed(const reminder_key& key) {
  auto i = entries_.find(key);
  if (i == entries_.end())
    return;
  disarm(i->second);
  entries_.erase(i);
}

} // namespace horae::detail
