// Timers named by key on top of the shared timer service: the bookkeeping
// TimerFacet and the reminder dispatcher share, so that "a cancelled timer
// never fires" is implemented (and tested) once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/error.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/clock.hpp>
#include <horae/core/error.hpp>
#include <horae/facets/timer_due.hpp>
#include <horae/facets/timer_handle.hpp>
#include <horae/facets/timer_service.hpp>

namespace horae::detail {

/// The timers of one actor, each named by a `Key` and carrying the owner's
/// `Value` for that key.
///
/// A key lives in a slot. Every time a slot is armed its *arming* number
/// grows, and the cookie of the scheduled timer carries (slot, arming). A
/// fire whose arming is not the slot's current one belongs to a timer that
/// was cancelled or re-armed since it was scheduled: `accept` reports it
/// stale, so a fire already in the mailbox never reaches the owner after a
/// cancel or a replace. (The timer service's entries have generations of
/// their own; those only make stale `timer_handle`s harmless.)
///
/// A deadline beyond the service's range is reached in hops: the timer is
/// scheduled at the end of the range, and `accept` re-arms it from there
/// until the deadline is within reach.
///
/// Cookies whose upper 32 bits are zero are never issued, so the owner may
/// schedule timers of its own (not keyed) with small cookies and tell them
/// apart with `is_keyed`.
///
/// Not thread-safe: owned by one actor and used from its thread only.
template <class Key, class Value, class Hash = std::hash<Key>>
class keyed_timers {
public:
  // -- member types -----------------------------------------------------------

  using slot_id = uint32_t;

  // -- constructors, destructors, and assignment operators --------------------

  keyed_timers() = default;

  keyed_timers(const keyed_timers&) = delete;

  keyed_timers& operator=(const keyed_timers&) = delete;

  ~keyed_timers() {
    clear();
  }

  /// Sets the actor that receives the fires and the service that schedules
  /// them; either may be null until the owner is attached.
  void bind(actor* self, timer_service* service) noexcept {
    self_ = self;
    service_ = service;
  }

  // -- keys -------------------------------------------------------------------

  /// @returns the slot of `key`, created (unarmed, with a default `Value`)
  ///          if it did not exist, and whether it was created.
  std::pair<slot_id, bool> emplace(const Key& key) {
    auto [i, added] = index_.try_emplace(key, slot_id{0});
    if (!added)
      return {i->second, false};
    slot_id id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<slot_id>(slots_.size());
      slots_.emplace_back();
    }
    i->second = id;
    auto& s = slots_[id];
    s.key = &i->first;
    s.value = Value{};
    return {id, true};
  }

  /// @returns the slot of `key`, if any.
  std::optional<slot_id> find(const Key& key) const {
    auto i = index_.find(key);
    if (i == index_.end())
      return std::nullopt;
    return i->second;
  }

  /// Disarms the slot, forgets its key and frees it for reuse.
  void erase(slot_id id) {
    auto& s = slots_[id];
    if (s.key == nullptr)
      return;
    disarm(id);
    index_.erase(*s.key);
    s.key = nullptr;
    s.value = Value{};
    free_.push_back(id);
  }

  /// Erases every key. @returns how many there were.
  size_t clear() {
    auto result = index_.size();
    for (slot_id id = 0; id < slots_.size(); ++id)
      erase(id);
    slots_.clear();
    free_.clear();
    return result;
  }

  /// @returns whether slot `id` holds a key.
  bool contains(slot_id id) const noexcept {
    return id < slots_.size() && slots_[id].key != nullptr;
  }

  /// @returns how many keys exist.
  size_t size() const noexcept {
    return index_.size();
  }

  bool empty() const noexcept {
    return index_.empty();
  }

  const Key& key(slot_id id) const noexcept {
    return *slots_[id].key;
  }

  Value& value(slot_id id) noexcept {
    return slots_[id].value;
  }

  const Value& value(slot_id id) const noexcept {
    return slots_[id].value;
  }

  /// Calls `fn(id)` for the slot of every key, in no particular order.
  template <class F>
  void for_each(F&& fn) const {
    for (slot_id id = 0; id < slots_.size(); ++id)
      if (slots_[id].key != nullptr)
        fn(id);
  }

  // -- arming -----------------------------------------------------------------

  /// Schedules the slot's timer for `deadline`, replacing any pending one:
  /// a fire of the previous arming already in the mailbox turns stale.
  /// @returns the service's error (e.g. `closed` while shutting down); the
  ///          slot is then unarmed.
  caf::error arm(slot_id id, clock::time_point deadline) {
    disarm(id);
    auto& s = slots_[id];
    s.deadline = deadline;
    return schedule(s, id, deadline);
  }

  /// Cancels the slot's timer; a fire already in the mailbox turns stale.
  void disarm(slot_id id) noexcept {
    auto& s = slots_[id];
    if (!s.armed)
      return;
    if (service_ != nullptr)
      service_->cancel(s.handle);
    ++s.arming;
    s.armed = false;
    s.handle = timer_handle{};
  }

  /// @returns whether the slot has a pending timer.
  bool armed(slot_id id) const noexcept {
    return slots_[id].armed;
  }

  /// @returns the deadline of the slot's latest arming.
  clock::time_point deadline(slot_id id) const noexcept {
    return slots_[id].deadline;
  }

  // -- fires ------------------------------------------------------------------

  /// @returns whether `cookie` names a keyed timer rather than one of the
  ///          owner's own.
  static constexpr bool is_keyed(uint64_t cookie) noexcept {
    return (cookie >> 32) != 0;
  }

  /// Takes a fire from the mailbox.
  /// @returns the slot whose current timer fell due (now unarmed), or none
  ///          for a stale fire or an intermediate hop (re-armed here).
  std::optional<slot_id> accept(const timer_due& due) {
    auto id = static_cast<slot_id>((due.cookie >> 32) - 1);
    auto arming = static_cast<uint32_t>(due.cookie & 0xFFFFFFFFu);
    if (!is_keyed(due.cookie) || id >= slots_.size())
      return std::nullopt;
    auto& s = slots_[id];
    if (s.key == nullptr || !s.armed || s.arming != arming)
      return std::nullopt; // cancelled, re-armed or erased since
    s.armed = false;
    s.handle = timer_handle{};
    if (due.scheduled < s.deadline) {
      // A hop towards a deadline beyond the service's range.
      // Fails only while shutting down; the slot then stays unarmed.
      ++s.arming;
      static_cast<void>(schedule(s, id, s.deadline));
      return std::nullopt;
    }
    ++s.arming;
    return id;
  }

private:
  struct slot {
    /// Points into `index_`'s node, which never moves; null when free.
    const Key* key = nullptr;
    uint32_t arming = 0;
    bool armed = false;
    timer_handle handle;
    clock::time_point deadline;
    Value value{};
  };

  static uint64_t cookie_of(slot_id id, uint32_t arming) noexcept {
    return ((static_cast<uint64_t>(id) + 1) << 32) | arming;
  }

  caf::error schedule(slot& s, slot_id id, clock::time_point deadline) {
    if (service_ == nullptr || self_ == nullptr)
      return make_error(errc::not_found, "no timer service");
    auto target = caf::actor_cast<caf::strong_actor_ptr>(self_);
    auto cookie = cookie_of(id, s.arming);
    auto handle = service_->schedule(deadline, target, cookie);
    if (!handle && code_of(handle.error()) == errc::out_of_range) {
      // Beyond the wheel's range (checked by the service, so a timer within
      // it costs no extra clock read): hop to the end of the range.
      auto hop = self_->clock().now() + service_->max_delay();
      handle = service_->schedule(std::min(deadline, hop), target, cookie);
    }
    if (!handle)
      return handle.error();
    s.handle = *handle;
    s.armed = true;
    return caf::none;
  }

  actor* self_ = nullptr;
  timer_service* service_ = nullptr;
  std::vector<slot> slots_;
  std::vector<slot_id> free_;
  std::unordered_map<Key, slot_id, Hash> index_;
};

} // namespace horae::detail
