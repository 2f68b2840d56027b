// The dispatcher actor's state: the window of loaded reminders, their
// timers, deliveries awaiting acks, and the delivery rate limit.
#pragma once

#include <map>
#include <optional>
#include <unordered_map>

#include <caf/behavior.hpp>

#include <horae/core/actor.hpp>
#include <horae/facets/fire_plan.hpp>
#include <horae/facets/timer_handle.hpp>
#include <horae/journaling/due_position.hpp>
#include <horae/journaling/reminder_record.hpp>

#include "reminders/reminder_messages.hpp"

namespace horae {

class reminder_service;
class timer_service;

namespace detail {

class reminder_dispatcher {
public:
  reminder_dispatcher(reminder_service& svc, timer_service& timers);

  caf::behavior make_behavior(actor* self);

private:
  enum class phase { waiting, in_flight, recording };

  struct entry {
    reminder_record rec;
    phase state = phase::waiting;
    uint64_t cookie = 0;
    timer_handle handle;
    uint64_t delivery_id = 0;
    fire_plan plan;
  };

  void refill();
  void schedule_refill(clock::duration delay);
  bool in_window(const reminder_record& rec) const;
  void reload(const reminder_key& key);
  void load(reminder_record rec);
  void arm(const reminder_key& key, entry& e, clock::time_point deadline);
  void disarm(entry& e);
  void on_due(uint64_t cookie);
  void deliver(const reminder_key& key, entry& e);
  void record(const reminder_key& key, entry& e);
  void on_ack(const reminder_ack& ack);
  void on_recorded(const fire_recorded& msg);
  void on_changed(reminder_record rec);
  void on_removed(const reminder_key& key);
  bool take_token(clock::time_point now, clock::time_point& retry_at);

  reminder_service* service_;
  timer_service* timers_;
  actor* self_ = nullptr;
  std::map<reminder_key, entry> entries_;
  std::unordered_map<uint64_t, reminder_key> by_cookie_;
  uint64_t next_cookie_ = 1; // 0 is the refill timer
  uint64_t next_delivery_ = 0;
  /// Every stored reminder at or before this position is in `entries_`
  /// (changes made through this runtime keep it so), so a refill reads only
  /// what comes after it.
  due_position loaded_through_ = due_position::start();
  /// Rate limit as a virtual schedule (GCRA): the time at which the bucket
  /// would be full again. Integer arithmetic keeps it exact.
  clock::time_point theoretical_arrival_;
};

} // namespace detail

} // namespace horae
