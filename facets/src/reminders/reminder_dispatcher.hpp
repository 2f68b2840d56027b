// The dispatcher actor's state: the bounded window of loaded reminders, their
// timers, fires under way with their attempts, the activations handling
// them, and the delivery rate limit with its one queue.
#pragma once

#include <deque>
#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/behavior.hpp>
#include <caf/system_messages.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/metrics.hpp>
#include <horae/facets/timer_handle.hpp>
#include <horae/journaling/due_position.hpp>
#include <horae/journaling/reminder_record.hpp>
#include <horae/journaling/reminder_store.hpp>

#include "reminders/fault_log.hpp"
#include "reminders/fire_plan.hpp"
#include "reminders/reminder_messages.hpp"
#include "timers/keyed_timers.hpp"

namespace horae {

class reminder_service;
class timer_service;

namespace detail {

/// Delivers due reminders and records their outcome.
///
/// A fire goes through these phases:
/// - `waiting`: armed for its due time, or for its next attempt;
/// - `throttled`: due, queued behind the delivery rate limit;
/// - `awaiting_type`: due, but its actor type is not defined yet;
/// - `sent`: handed to the registry; if it has not reached the behaviour
///   within `ack-timeout`, it counts as lost;
/// - `handling`: the behaviour has it; the dispatcher monitors that
///   activation and waits for the outcome however long the handler takes;
/// - `recording`: the outcome is being written to the store.
class reminder_dispatcher {
public:
  reminder_dispatcher(reminder_service& svc, timer_service& timers);

  caf::behavior make_behavior(actor* self);

private:
  enum class phase {
    waiting,
    throttled,
    awaiting_type,
    sent,
    handling,
    recording
  };

  /// A loaded reminder. Its key lives once, in the timer table; `rec`
  /// holds the rest of the row (its `key` is left empty).
  struct entry {
    reminder_record rec;
    phase state = phase::waiting;
    /// The entry's slot in `entries_`.
    uint32_t slot = 0;
    /// Names the fire under way across its attempts; 0 when none is.
    uint64_t fire_id = 0;
    uint32_t attempt = 0;
    fire_plan plan;
    /// The activation handling the fire (phase `handling`).
    caf::actor_addr handler;
    reminder_store::fire_outcome outcome
      = reminder_store::fire_outcome::delivered;
  };

  /// The window: each loaded reminder with its timer, by key.
  using entry_table = keyed_timers<reminder_key, entry>;

  /// A fire waiting in a queue; stale once its entry moved on.
  using queued_fire = std::pair<reminder_key, uint64_t>;

  // -- window -----------------------------------------------------------------

  void refill();
  void schedule_refill(clock::duration delay);
  size_t room() const noexcept;
  bool in_window(const reminder_record& rec) const;
  void reload(const reminder_key& key);
  void load(reminder_record rec);
  entry* find(const reminder_key& key);
  void erase(entry& e);

  // -- timers -----------------------------------------------------------------

  void arm(const reminder_key& key, entry& e, clock::time_point deadline);
  void disarm(entry& e);
  void on_due(const timer_due& due);

  // -- delivery ---------------------------------------------------------------

  void begin_attempt(const reminder_key& key, entry& e);
  void send_or_queue(const reminder_key& key, entry& e);
  void send(const reminder_key& key, entry& e);
  void arm_throttle(clock::time_point when);
  void drain_throttled();
  bool take_token(clock::time_point now, clock::time_point& retry_at);
  void on_type_defined(const std::string& type);

  /// @returns whether this node fires `key` (always outside a cluster).
  bool owns(const reminder_key& key) const;

  /// Drops the reminders of partitions given up and reads the window
  /// again for partitions taken over.
  void on_ownership_changed();

  // -- outcomes ---------------------------------------------------------------

  entry* fire_under_way(const reminder_key& key, uint64_t fire_id);
  void on_received(const reminder_received& msg);
  void on_ack(const reminder_ack& msg);
  void on_down(const caf::down_msg& msg);
  void failed_attempt(const reminder_key& key, entry& e,
                      const std::string& reason);
  void watch(const reminder_key& key, entry& e, caf::actor_addr handler);
  void unwatch(const reminder_key& key, entry& e);

  // -- bookkeeping ------------------------------------------------------------

  void record(const reminder_key& key, entry& e,
              reminder_store::fire_outcome outcome);
  void on_recorded(const fire_recorded& msg);
  void on_changed(reminder_record rec);
  void on_removed(const reminder_key& key);

  reminder_service* service_;
  timer_service* timers_;
  /// Delivery time minus due time of each first attempt (Orleans calls it
  /// tardiness), and deliveries after the first attempt.
  histogram* tardiness_;
  counter* redelivered_;
  actor* self_ = nullptr;
  entry_table entries_;
  uint64_t next_fire_ = 0;
  /// Every stored reminder at or before this position is in `entries_`
  /// (changes made through this runtime keep it so), so a refill reads only
  /// what comes after it.
  due_position loaded_through_ = due_position::start();
  timer_handle refill_timer_;
  /// The window reached `max-window`: no refill is scheduled until removals
  /// make room again.
  bool window_full_ = false;
  /// Rate limit as a virtual schedule (GCRA): the time at which the bucket
  /// would be full again. Integer arithmetic keeps it exact.
  clock::time_point theoretical_arrival_;
  /// Due fires waiting for a token, in due order, behind one timer.
  std::deque<queued_fire> throttled_;
  bool throttle_armed_ = false;
  /// Due fires whose actor type is not defined yet, by type.
  std::unordered_map<std::string, std::vector<queued_fire>> awaiting_type_;
  /// Store failures (full disk, lock, lost file, I/O errors), each side
  /// logged as one fault: reads and writes fail and recover separately.
  fault_log store_read_faults_;
  fault_log store_write_faults_;
  /// Activations that have fires in hand, each monitored once.
  std::map<caf::actor_addr, std::vector<queued_fire>> handlers_;
};

} // namespace detail

} // namespace horae
