// Timers named by key on top of the shared timer service: the bookkeeping
// TimerFacet and the reminder dispatcher share, so that "a cancelled timer
// never fires" is implemented (and tested) once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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
    auto hash = Hash{}(key);
    if (index_.empty())
      grow();
    auto pos = probe(key, hash);
    if (index_[pos] != no_slot)
      return {index_[pos], false};
    if ((count_ + 1) * 2 > index_.size()) { // keep the load at most 1/2
      grow();
      pos = probe_free(hash);
    }
    slot_id id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<slot_id>(slots_.size());
      slots_.emplace_back();
    }
    auto& s = slots_[id];
    s.key = key;
    s.hash = static_cast<uint32_t>(hash);
    s.used = true;
    s.value = Value{};
    index_[pos] = id;
    ++count_;
    return {id, true};
  }

  /// @returns the slot of `key`, if any.
  std::optional<slot_id> find(const Key& key) const {
    if (count_ == 0)
      return std::nullopt;
    auto pos = probe(key, Hash{}(key));
    if (index_[pos] == no_slot)
      return std::nullopt;
    return index_[pos];
  }

  /// Disarms the slot, forgets its key and frees it for reuse.
  void erase(slot_id id) {
    auto& s = slots_[id];
    if (!s.used)
      return;
    disarm(id);
    unindex(probe(s.key, s.hash));
    s.used = false;
    s.key = Key{};
    s.value = Value{};
    free_.push_back(id);
    --count_;
  }

  /// Erases every key. @returns how many there were.
  size_t clear() {
    auto result = count_;
    for (slot_id id = 0; id < slots_.size(); ++id)
      disarm(id);
    slots_.clear();
    free_.clear();
    index_.assign(index_.size(), no_slot);
    count_ = 0;
    return result;
  }

  /// @returns whether slot `id` holds a key.
  bool contains(slot_id id) const noexcept {
    return id < slots_.size() && slots_[id].used;
  }

  /// @returns how many keys exist.
  size_t size() const noexcept {
    return count_;
  }

  bool empty() const noexcept {
    return count_ == 0;
  }

  const Key& key(slot_id id) const noexcept {
    return slots_[id].key;
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
      if (slots_[id].used)
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
  /// @param stale set to true for a fire of a cancelled, re-armed or
  ///        erased timer (not for a hop), if given.
  /// @returns the slot whose current timer fell due (now unarmed), or none
  ///          for a stale fire or an intermediate hop (re-armed here).
  std::optional<slot_id> accept(const timer_due& due, bool* stale = nullptr) {
    auto id = static_cast<slot_id>((due.cookie >> 32) - 1);
    auto arming = static_cast<uint32_t>(due.cookie & 0xFFFFFFFFu);
    if (!is_keyed(due.cookie) || id >= slots_.size() || !slots_[id].used
        || !slots_[id].armed || slots_[id].arming != arming) {
      if (stale != nullptr)
        *stale = is_keyed(due.cookie);
      return std::nullopt; // cancelled, re-armed or erased since
    }
    auto& s = slots_[id];
    s.armed = false;
    s.handle = timer_handle{};
    ++s.arming;
    if (due.scheduled < s.deadline) {
      // A hop towards a deadline beyond the service's range. Fails only
      // while shutting down; the slot then stays unarmed.
      static_cast<void>(schedule(s, id, s.deadline));
      return std::nullopt;
    }
    return id;
  }

private:
  struct slot {
    Key key{};
    timer_handle handle;
    clock::time_point deadline;
    uint32_t arming = 0;
    /// Low half of `Hash{}(key)`: growing the index hashes no key again,
    /// and probes skip most key comparisons.
    uint32_t hash = 0;
    bool used = false;
    bool armed = false;
    Value value{};
  };

  /// Slots in chunks that never move: growing copies nothing, and memory a
  /// reallocation would leave behind is never touched.
  class slot_store {
  public:
    static constexpr size_t chunk_bits = 8;
    static constexpr size_t chunk_size = size_t{1} << chunk_bits;

    size_t size() const noexcept {
      return size_;
    }

    slot& operator[](size_t i) noexcept {
      return chunks_[i >> chunk_bits][i & (chunk_size - 1)];
    }

    const slot& operator[](size_t i) const noexcept {
      return chunks_[i >> chunk_bits][i & (chunk_size - 1)];
    }

    void emplace_back() {
      if ((size_ & (chunk_size - 1)) == 0)
        chunks_.push_back(std::make_unique<slot[]>(chunk_size));
      ++size_;
    }

    void clear() noexcept {
      chunks_.clear();
      size_ = 0;
    }

  private:
    std::vector<std::unique_ptr<slot[]>> chunks_;
    size_t size_ = 0;
  };

  static uint64_t cookie_of(slot_id id, uint32_t arming) noexcept {
    return ((static_cast<uint64_t>(id) + 1) << 32) | arming;
  }

  caf::error schedule(slot& s, slot_id id, clock::time_point deadline) {
    if (service_ == nullptr || self_ == nullptr)
      return make_error(errc::not_found, "no timer service");
    // The actor schedules for itself: its control block, no strong ref.
    auto target = self_->ctrl();
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

  // -- the index: open addressing over slot ids ------------------------------
  //
  // The keys live in the slots; the index holds only slot ids, found by
  // linear probing from the key's hash. Compared with a node-based map this
  // saves an allocation, a copy of the key and about 70 bytes per timer.

  static constexpr slot_id no_slot = ~slot_id{0};

  /// @returns the index position of `key`, or the empty position where it
  ///          would go.
  size_t probe(const Key& key, size_t hash) const noexcept {
    auto mask = index_.size() - 1;
    for (auto pos = hash & mask;; pos = (pos + 1) & mask) {
      auto id = index_[pos];
      if (id == no_slot
          || (slots_[id].hash == static_cast<uint32_t>(hash)
              && slots_[id].key == key))
        return pos;
    }
  }

  /// @returns the first empty position of the probe run of `hash`, for
  ///          keys known to be absent (while growing).
  size_t probe_free(size_t hash) const noexcept {
    auto mask = index_.size() - 1;
    auto pos = hash & mask;
    while (index_[pos] != no_slot)
      pos = (pos + 1) & mask;
    return pos;
  }

  /// Empties position `pos` and moves later entries of its probe run back
  /// (backward-shift deletion), so lookups need no tombstones.
  void unindex(size_t pos) noexcept {
    auto mask = index_.size() - 1;
    auto hole = pos;
    for (auto next = (pos + 1) & mask; index_[next] != no_slot;
         next = (next + 1) & mask) {
      auto home = slots_[index_[next]].hash & mask;
      // Move the entry into the hole unless its home lies cyclically in
      // (hole, next]: then it must stay where it is.
      auto stays = hole <= next ? (hole < home && home <= next)
                                : (hole < home || home <= next);
      if (!stays) {
        index_[hole] = index_[next];
        hole = next;
      }
    }
    index_[hole] = no_slot;
  }

  void grow() {
    std::vector<slot_id> bigger(index_.empty() ? 16 : index_.size() * 2,
                                no_slot);
    index_.swap(bigger);
    for (auto id : bigger)
      if (id != no_slot)
        index_[probe_free(slots_[id].hash)] = id;
  }

  actor* self_ = nullptr;
  timer_service* service_ = nullptr;
  slot_store slots_;
  std::vector<slot_id> free_;
  /// Size a power of two (or zero), at most half full.
  std::vector<slot_id> index_;
  size_t count_ = 0;
};

} // namespace horae::detail
