// Timers named by key, queued per owner behind one alarm of the shared timer
// service: the bookkeeping TimerFacet and the reminder dispatcher share, so
// that "a cancelled timer never fires" is implemented (and tested) once.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message_id.hpp>

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
/// The armed timers wait in a heap of the owner's own, in deadline order
/// (equal deadlines in the order they were armed). The shared timer service
/// holds a single *alarm* for the table, set to the earliest deadline: a
/// start costs a heap push and no atomic operation, and a pending timer
/// costs its slot, a heap position and an index entry instead of a service
/// entry too. When the alarm's fire arrives, `accept` takes every timer due
/// by then from the heap: the first is returned at once, the others follow
/// through the owner's mailbox as fires of their own, and the alarm is set
/// again for what is left. An alarm that fires early (its timer was
/// cancelled or re-armed later) only sets itself again.
///
/// A key lives in a slot. Every time a slot is armed its *arming* number
/// grows, and the cookie of a fire in the mailbox carries (slot, arming). A
/// fire whose arming is not the slot's current one belongs to a timer that
/// was cancelled or re-armed since: `accept` reports it stale, so a fire
/// already in the mailbox never reaches the owner after a cancel or a
/// replace. Alarms carry a generation of their own for the same purpose.
///
/// A deadline beyond the service's range is reached in hops: the alarm is
/// set to the end of the range and sets itself again from there.
///
/// Cookies whose upper 32 bits are zero are never issued, so the owner may
/// schedule timers of its own (not keyed) with small cookies and tell them
/// apart with `is_keyed`.
///
/// The table tells the service how many timers it holds and delivers
/// (`note_queued`, `note_queued_delivered`), so that `timer_service::pending`
/// and `fired` count them, not the alarm.
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
    auto hash = static_cast<uint32_t>(Hash{}(key));
    if (tags_.empty())
      grow();
    auto pos = probe(key, hash);
    if (tags_[pos] != empty_tag)
      return {index_[pos], false};
    if ((count_ + 1) * 4 > tags_.size() * 3) { // keep the load at most 3/4
      grow();
      pos = probe_free(hash);
    }
    slot_id id;
    if (!free_.empty()) {
      // `erase` reset the slot: its value is a fresh `Value`.
      id = free_.back();
      slots_[id].key = key; // may throw: the slot stays free until it did
      free_.pop_back();
    } else {
      if (slots_.size() >= max_slots)
        throw std::length_error("keyed_timers: too many keys");
      id = static_cast<slot_id>(slots_.size());
      slots_.emplace_back(key);
    }
    auto& m = slots_.meta(id);
    m.hash = hash;
    m.used = true;
    index_[pos] = id;
    tags_[pos] = tag_of(hash);
    ++count_;
    return {id, true};
  }

  /// @returns the slot of `key`, if any.
  std::optional<slot_id> find(const Key& key) const {
    if (count_ == 0)
      return std::nullopt;
    auto pos = probe(key, static_cast<uint32_t>(Hash{}(key)));
    if (tags_[pos] == empty_tag)
      return std::nullopt;
    return index_[pos];
  }

  /// Disarms the slot, forgets its key and frees it for reuse.
  void erase(slot_id id) {
    auto& m = slots_.meta(id);
    if (!m.used)
      return;
    disarm(id);
    auto& s = slots_[id];
    unindex(probe(s.key, m.hash));
    m.used = false;
    s.key = Key{};
    s.value = Value{};
    free_.push_back(id);
    --count_;
  }

  /// Erases every key. @returns how many there were.
  size_t clear() {
    auto result = count_;
    int64_t armed = 0;
    for (slot_id id = 0; id < slots_.size(); ++id)
      armed += slots_.meta(id).armed ? 1 : 0;
    if (armed > 0)
      note_queued(-armed);
    heap_.clear();
    heap_due_.clear();
    drop_alarm();
    slots_.clear();
    free_.clear();
    tags_.assign(tags_.size(), empty_tag);
    count_ = 0;
    return result;
  }

  /// @returns whether slot `id` holds a key.
  bool contains(slot_id id) const noexcept {
    return id < slots_.size() && slots_.meta(id).used;
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
      if (slots_.meta(id).used)
        fn(id);
  }

  // -- arming -----------------------------------------------------------------

  /// Queues the slot's timer for `deadline`, replacing any pending one: a
  /// fire of the previous arming already in the mailbox turns stale.
  /// @returns the service's error (e.g. `closed` while shutting down) when
  ///          the alarm had to move and could not; the slot is then unarmed.
  ///          Nothing on success, so that the common case builds no error.
  std::optional<caf::error> arm(slot_id id, clock::time_point deadline) {
    auto& m = slots_.meta(id);
    auto& s = slots_[id];
    if (m.armed) {
      if (m.heap_pos != not_queued)
        heap_remove(id);
      ++s.arming;
    } else {
      m.armed = true;
      note_queued(1);
    }
    s.deadline = deadline;
    s.seq = next_seq_++;
    heap_push(id, deadline);
    if (auto err = set_alarm()) {
      disarm(id);
      return err;
    }
    return std::nullopt;
  }

  /// Cancels the slot's timer; a fire already in the mailbox turns stale.
  void disarm(slot_id id) noexcept {
    auto& m = slots_.meta(id);
    if (!m.armed)
      return;
    if (m.heap_pos != not_queued)
      heap_remove(id);
    ++slots_[id].arming;
    m.armed = false;
    note_queued(-1);
    if (heap_.empty())
      drop_alarm(); // an alarm for nothing would only fire in vain
  }

  /// @returns whether the slot has a pending timer.
  bool armed(slot_id id) const noexcept {
    return slots_.meta(id).armed;
  }

  /// @returns the deadline of the slot's latest arming.
  clock::time_point deadline(slot_id id) const noexcept {
    return slots_[id].deadline;
  }

  /// @returns how many timers wait in the queue (not yet due).
  size_t queued() const noexcept {
    return heap_.size();
  }

  // -- fires ------------------------------------------------------------------

  /// @returns whether `cookie` names a keyed timer or the table's alarm
  ///          rather than one of the owner's own.
  static constexpr bool is_keyed(uint64_t cookie) noexcept {
    return (cookie >> 32) != 0;
  }

  /// Takes a fire from the mailbox: the alarm's or a queued timer's.
  /// @param stale set to true for a fire of a cancelled, re-armed or
  ///        erased timer, if given (not for an alarm: those are the
  ///        table's own business).
  /// @returns the slot whose current timer fell due (now unarmed), or none
  ///          for a stale fire or an alarm with nothing due yet.
  std::optional<slot_id> accept(const timer_due& due, bool* stale = nullptr) {
    if (timer_service::is_alarm(due.cookie))
      return accept_alarm(due);
    auto id = static_cast<slot_id>((due.cookie >> 32) - 1);
    auto arming = static_cast<uint32_t>(due.cookie & 0xFFFFFFFFu);
    if (!is_keyed(due.cookie) || id >= slots_.size() || !slots_.meta(id).used
        || !slots_.meta(id).armed || slots_.meta(id).heap_pos != not_queued
        || slots_[id].arming != arming) {
      if (stale != nullptr)
        *stale = is_keyed(due.cookie);
      return std::nullopt; // cancelled, re-armed or erased since
    }
    return settle(id);
  }

private:
  /// Heap positions fit 30 bits, next to the slot's two flags.
  static constexpr uint32_t not_queued = (uint32_t{1} << 30) - 1;

  /// Every slot can sit in the heap at a position below `not_queued`, and
  /// the cookie of every slot stays below the alarm's.
  static constexpr size_t max_slots = not_queued;

  /// What the heap and the index read and write of slots other than the
  /// one a call is about: kept apart from the slots, densely, so that
  /// sifting and probing touch a small array instead of a cache line per
  /// slot they pass.
  struct slot_meta {
    slot_meta() noexcept : heap_pos(not_queued), used(false), armed(false) {
      // nop
    }

    /// Low half of `Hash{}(key)`: growing the index hashes no key again,
    /// and probes compare keys only when it matches.
    uint32_t hash = 0;
    /// Position in `heap_` while queued, `not_queued` otherwise.
    uint32_t heap_pos : 30;
    uint32_t used : 1;
    /// A fire is owed: the timer is queued, or its fire is in the mailbox.
    uint32_t armed : 1;
  };

  struct slot {
    explicit slot(const Key& k) : key(k) {
      // nop
    }

    Key key;
    clock::time_point deadline{};
    uint32_t arming = 0;
    /// Arming order, for equal deadlines.
    uint32_t seq = 0;
    Value value{};
  };

public:
  /// Bytes of one key's slot and its metadata (its heap position and index
  /// entry come on top).
  static constexpr size_t slot_bytes = sizeof(slot) + sizeof(slot_meta);

private:
  /// Slots in chunks that never move: growing copies nothing, and memory a
  /// reallocation would leave behind is never touched. A chunk's slots are
  /// constructed one by one as keys arrive, so each slot's memory is
  /// written once, by the start that first needs it; its metadata sits in
  /// an array of its own.
  class slot_store {
  public:
    static constexpr size_t chunk_bits = 8;
    static constexpr size_t chunk_size = size_t{1} << chunk_bits;

    slot_store() = default;

    slot_store(const slot_store&) = delete;

    slot_store& operator=(const slot_store&) = delete;

    ~slot_store() {
      clear();
    }

    size_t size() const noexcept {
      return size_;
    }

    slot& operator[](size_t i) noexcept {
      return chunks_[i >> chunk_bits][i & (chunk_size - 1)];
    }

    const slot& operator[](size_t i) const noexcept {
      return chunks_[i >> chunk_bits][i & (chunk_size - 1)];
    }

    slot_meta& meta(size_t i) noexcept {
      return metas_[i >> chunk_bits][i & (chunk_size - 1)];
    }

    const slot_meta& meta(size_t i) const noexcept {
      return metas_[i >> chunk_bits][i & (chunk_size - 1)];
    }

    /// Constructs the next slot with `key`. Strong guarantee: on an
    /// exception the store is as it was (a chunk it added stays for the
    /// next call).
    void emplace_back(const Key& key) {
      if (size_ == chunks_.size() * chunk_size) {
        chunks_.reserve(chunks_.size() + 1);
        metas_.reserve(metas_.size() + 1);
        auto meta = std::make_unique<slot_meta[]>(chunk_size);
        auto* raw = std::allocator<slot>{}.allocate(chunk_size);
        chunks_.push_back(raw); // cannot throw: reserved
        metas_.push_back(std::move(meta));
      }
      ::new (static_cast<void*>(&(*this)[size_])) slot(key);
      ++size_;
    }

    void clear() noexcept {
      for (size_t i = 0; i < size_; ++i)
        (*this)[i].~slot();
      for (auto* chunk : chunks_)
        std::allocator<slot>{}.deallocate(chunk, chunk_size);
      chunks_.clear();
      metas_.clear();
      size_ = 0;
    }

  private:
    std::vector<slot*> chunks_;
    std::vector<std::unique_ptr<slot_meta[]>> metas_;
    size_t size_ = 0;
  };

  static uint64_t cookie_of(slot_id id, uint32_t arming) noexcept {
    return ((static_cast<uint64_t>(id) + 1) << 32) | arming;
  }

  // -- the alarm ------------------------------------------------------------

  /// Handles the alarm's fire: see the class comment.
  std::optional<slot_id> accept_alarm(const timer_due& due) {
    if (alarm_at_ == no_alarm
        || static_cast<uint32_t>(due.cookie) != alarm_generation_)
      return std::nullopt; // an alarm dropped or moved since
    alarm_ = timer_handle{};
    alarm_at_ = no_alarm;
    auto now = self_->clock().now();
    std::optional<slot_id> first;
    while (!heap_.empty() && heap_due_.front() <= now) {
      auto id = heap_.front();
      heap_remove(id);
      if (!first) {
        first = id;
        continue;
      }
      // Behind whatever the mailbox holds, as the service would have put
      // it; `accept` checks it like any fire when it arrives.
      const auto& s = slots_[id];
      self_->enqueue(nullptr, caf::make_message_id(),
                     caf::make_message(timer_due{cookie_of(id, s.arming),
                                                 s.deadline, due.fired}),
                     nullptr);
    }
    // Fails only while shutting down: the rest then never fires.
    static_cast<void>(set_alarm());
    if (!first)
      return std::nullopt;
    return settle(*first);
  }

  /// Marks the due timer of slot `id` delivered.
  slot_id settle(slot_id id) noexcept {
    slots_.meta(id).armed = false;
    auto& s = slots_[id];
    ++s.arming;
    if (service_ != nullptr)
      service_->note_queued_delivered();
    return id;
  }

  /// Sets the alarm to the earliest deadline unless it rings earlier
  /// already (it then finds nothing due and sets itself again), and drops
  /// it when nothing is queued.
  std::optional<caf::error> set_alarm() {
    if (heap_.empty()) {
      drop_alarm();
      return std::nullopt;
    }
    auto earliest = heap_due_.front();
    if (alarm_at_ <= earliest)
      return std::nullopt;
    return move_alarm(earliest);
  }

  /// Schedules the alarm for `earliest`, in place of the current one.
  std::optional<caf::error> move_alarm(clock::time_point earliest) {
    drop_alarm();
    if (service_ == nullptr || self_ == nullptr)
      return make_error(errc::not_found, "no timer service");
    // The actor schedules for itself: its control block, no strong ref.
    auto target = self_->ctrl();
    auto cookie = timer_service::alarm_tag | ++alarm_generation_;
    auto when = earliest;
    auto handle = service_->schedule(when, target, cookie);
    if (!handle && code_of(handle.error()) == errc::out_of_range) {
      // Beyond the wheel's range (checked by the service, so a timer within
      // it costs no extra clock read): hop to the end of the range.
      when = std::min(earliest, self_->clock().now() + service_->max_delay());
      handle = service_->schedule(when, target, cookie);
    }
    if (!handle)
      return handle.error();
    alarm_ = *handle;
    alarm_at_ = when;
    return std::nullopt;
  }

  /// Cancels the alarm; a fire of it already in the mailbox turns stale.
  void drop_alarm() noexcept {
    if (alarm_at_ == no_alarm)
      return;
    if (service_ != nullptr)
      service_->cancel(alarm_);
    ++alarm_generation_;
    alarm_ = timer_handle{};
    alarm_at_ = no_alarm;
  }

  void note_queued(int64_t delta) noexcept {
    if (service_ != nullptr)
      service_->note_queued(delta);
  }

  // -- the queue: a binary heap of slot ids ----------------------------------
  //
  // Each heap position keeps its timer's deadline beside the slot id, so
  // that sifting compares deadlines in the heap's own arrays and reads a
  // slot only to break a tie or to note where its id moved.

  bool earlier(size_t pos, clock::time_point due, slot_id id) const noexcept {
    if (heap_due_[pos] != due)
      return heap_due_[pos] < due;
    // Wraps after 2^32 armings; only ever compared among equal deadlines.
    return static_cast<int32_t>(slots_[heap_[pos]].seq - slots_[id].seq) < 0;
  }

  void place(size_t pos, slot_id id, clock::time_point due) noexcept {
    heap_[pos] = id;
    heap_due_[pos] = due;
    slots_.meta(id).heap_pos = static_cast<uint32_t>(pos);
  }

  /// Moves the timer `(id, due)` from the hole at `pos` towards the root.
  /// @returns its final position.
  size_t sift_up(size_t pos, slot_id id, clock::time_point due) noexcept {
    while (pos > 0) {
      auto parent = (pos - 1) / 2;
      if (earlier(parent, due, id)) // no two timers compare equal
        break;
      place(pos, heap_[parent], heap_due_[parent]);
      pos = parent;
    }
    place(pos, id, due);
    return pos;
  }

  /// Moves the timer `(id, due)` from the hole at `pos` towards the leaves.
  void sift_down(size_t pos, slot_id id, clock::time_point due) noexcept {
    auto n = heap_.size();
    for (;;) {
      auto child = 2 * pos + 1;
      if (child >= n)
        break;
      if (child + 1 < n && earlier(child + 1, heap_due_[child], heap_[child]))
        ++child;
      if (!earlier(child, due, id))
        break;
      place(pos, heap_[child], heap_due_[child]);
      pos = child;
    }
    place(pos, id, due);
  }

  void heap_push(slot_id id, clock::time_point due) {
    heap_.push_back(id);
    heap_due_.push_back(due);
    sift_up(heap_.size() - 1, id, due);
  }

  void heap_remove(slot_id id) noexcept {
    auto& m = slots_.meta(id);
    auto pos = static_cast<size_t>(m.heap_pos);
    m.heap_pos = not_queued;
    auto last = heap_.back();
    auto last_due = heap_due_.back();
    heap_.pop_back();
    heap_due_.pop_back();
    if (last == id)
      return;
    if (sift_up(pos, last, last_due) == pos)
      sift_down(pos, last, last_due);
  }

  // -- the index: open addressing over slot ids ------------------------------
  //
  // The keys live in the slots; the index holds only slot ids, found by
  // linear probing from the key's hash. Compared with a node-based map this
  // saves an allocation, a copy of the key and about 70 bytes per timer.
  // Beside each position sits a one-byte tag: zero while empty, else seven
  // bits of the key's hash. A probe walks the tags, which stay in the
  // cache, and reads a slot only when its tag matches, instead of one
  // slot, a likely cache miss, per position it passes.

  static constexpr uint8_t empty_tag = 0;

  static uint8_t tag_of(uint32_t hash) noexcept {
    // The top bits: the low ones pick the position.
    return static_cast<uint8_t>(0x80u | (hash >> 25));
  }

  /// @returns the index position of `key`, or the empty position where it
  ///          would go.
  size_t probe(const Key& key, uint32_t hash) const noexcept {
    auto mask = tags_.size() - 1;
    auto tag = tag_of(hash);
    for (size_t pos = hash & mask;; pos = (pos + 1) & mask) {
      auto t = tags_[pos];
      if (t == empty_tag)
        return pos;
      if (t == tag) {
        auto id = index_[pos];
        if (slots_.meta(id).hash == hash && slots_[id].key == key)
          return pos;
      }
    }
  }

  /// @returns the first empty position of the probe run of `hash`, for
  ///          keys known to be absent (while growing).
  size_t probe_free(uint32_t hash) const noexcept {
    auto mask = tags_.size() - 1;
    size_t pos = hash & mask;
    while (tags_[pos] != empty_tag)
      pos = (pos + 1) & mask;
    return pos;
  }

  /// Empties position `pos` and moves later entries of its probe run back
  /// (backward-shift deletion), so lookups need no tombstones.
  void unindex(size_t pos) noexcept {
    auto mask = tags_.size() - 1;
    auto hole = pos;
    for (auto next = (pos + 1) & mask; tags_[next] != empty_tag;
         next = (next + 1) & mask) {
      auto home = slots_.meta(index_[next]).hash & mask;
      // Move the entry into the hole unless its home lies cyclically in
      // (hole, next]: then it must stay where it is.
      auto stays = hole <= next ? (hole < home && home <= next)
                                : (hole < home || home <= next);
      if (!stays) {
        index_[hole] = index_[next];
        tags_[hole] = tags_[next];
        hole = next;
      }
    }
    tags_[hole] = empty_tag;
  }

  void grow() {
    auto n = tags_.empty() ? size_t{16} : tags_.size() * 2;
    std::vector<slot_id> ids(n);
    std::vector<uint8_t> tags(n, empty_tag);
    index_.swap(ids);
    tags_.swap(tags);
    for (size_t i = 0; i < tags.size(); ++i) {
      if (tags[i] == empty_tag)
        continue;
      auto pos = probe_free(slots_.meta(ids[i]).hash);
      index_[pos] = ids[i];
      tags_[pos] = tags[i];
    }
  }

  static constexpr clock::time_point no_alarm = clock::time_point::max();

  actor* self_ = nullptr;
  timer_service* service_ = nullptr;
  slot_store slots_;
  /// Armed timers not yet due, earliest first.
  std::vector<slot_id> heap_;
  /// The deadline of the timer at each position of `heap_`.
  std::vector<clock::time_point> heap_due_;
  uint32_t next_seq_ = 0;
  timer_handle alarm_;
  /// When the alarm rings; `no_alarm` while there is none.
  clock::time_point alarm_at_ = no_alarm;
  uint32_t alarm_generation_ = 0;
  std::vector<slot_id> free_;
  /// Slot ids by position; valid where `tags_` is not empty. Size a power
  /// of two (or zero), at most three quarters full.
  std::vector<slot_id> index_;
  /// One tag per position of `index_`.
  std::vector<uint8_t> tags_;
  size_t count_ = 0;
};

} // namespace horae::detail
