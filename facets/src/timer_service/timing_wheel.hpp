// The hierarchical timing wheel that orders pending timers. Single-threaded:
// only the thread that holds the timer service's poll lock touches it.
#pragma once

// How the wheel works
// -------------------
// Time is cut into ticks of `resolution`. A timer is filed under the tick
// that contains its deadline. When time reaches that tick, the timer moves
// to the *current* list, and it fires as soon as the clock reaches its
// deadline itself: the tick only decides where a timer waits, not when it
// fires, so a timer is never early and its lateness does not depend on the
// resolution (the owner sleeps until the earliest deadline in the current
// list, see `next_deadline`).
//
// The wheel has L levels of S slots each (S a power of two, S = 2^b). A slot
// on level k spans S^k ticks, so level 0 holds timers due within the next S
// ticks one tick per slot, level 1 the next S^2 ticks in S-tick chunks, and
// so on; all L levels together cover S^L ticks. A timer goes to the lowest
// level whose span covers its distance from the current tick, into the slot
// given by bits [k*b, (k+1)*b) of its due tick. Inserting is an index
// computation plus a list push: O(1). Each slot is an intrusive doubly linked
// list whose entries point back at the pointer that points at them, so
// cancelling is an unlink without knowing level or slot: O(1).
//
// When time reaches the start of a level-k slot's span, that slot's timers
// are now less than S^k ticks away: they are "cascaded", i.e. re-inserted,
// and land on some lower level. Higher levels are cascaded before lower ones
// so that a cascaded timer can still fire in the very tick it lands in.
// Every timer is moved at most L-1 times over its whole life, so the
// amortized cost stays O(1). A level-0 slot, when reached, holds exactly the
// timers due within that tick: those already due fire, the others join the
// current list.
//
// Cascading is spread out, not done in one go: a level-k slot may hold
// every timer due in the next S^k ticks (a quarter of a second's worth at
// 1 ms and S = 256; at 100,000 timers per second, 25,000 of them), and
// moving them all at once would hold up the timers due meanwhile. So the
// slot's list is taken out of the wheel a sixteenth of its span before its
// start (the *cascade window*) and moved down in bounded steps, each
// `advance` doing at most `cascade_step` entries after firing what is due.
// At that distance 15/16 of its timers already fit the lower levels; the
// rest go back into the slot, and the window takes them again at each later
// tick (more fit every tick), so little is left for the slot's start.
//
// Why it never ticks when idle: each level keeps an occupancy bitmap (with a
// summary word), so the next tick at which anything happens -- a level-0
// slot firing or a higher slot cascading -- is found with a handful of
// count-trailing-zeros instructions per level. The owner sleeps until that
// tick and `advance` jumps straight to it; empty ticks are never visited,
// and an empty wheel reports no next event at all, so its thread sleeps
// until a new timer arrives.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "timer_service/occupancy_bitmap.hpp"
#include "timer_service/timer_entry.hpp"

namespace horae::detail {

/// Hierarchical timing wheel over `timer_entry` objects. Not thread-safe.
class timing_wheel {
public:
  // -- constructors, destructors, and assignment operators --------------------

  /// @param origin_ns monotonic time of tick 0.
  /// @param resolution_ns length of a tick, > 0.
  /// @param slots slots per level, a power of two in [16, 4096].
  /// @param levels number of levels in [1, 8].
  timing_wheel(int64_t origin_ns, int64_t resolution_ns, uint32_t slots,
               uint32_t levels);

  timing_wheel(const timing_wheel&) = delete;
  timing_wheel& operator=(const timing_wheel&) = delete;

  // -- observers --------------------------------------------------------------

  /// @returns the tick containing monotonic time `t_ns` (rounded down).
  uint64_t tick_floor(int64_t t_ns) const noexcept;

  /// @returns the monotonic time at which `tick` starts.
  int64_t tick_start(uint64_t tick) const noexcept;

  /// @returns the next tick at which `advance` has work (an entry fires or
  ///          a slot cascades), or `nullopt` if the wheel is empty.
  ///          Returns the last tick processed if the current list is not
  ///          empty.
  std::optional<uint64_t> next_event() const noexcept;

  /// @returns the monotonic time at which `advance` next has work: the
  ///          earliest deadline in the current list or the start of the next
  ///          tick with work, or `nullopt` if the wheel is empty.
  std::optional<int64_t> next_deadline() const noexcept;

  // -- modifiers --------------------------------------------------------------

  /// Inserts `e` according to `e->deadline`. An entry due within the current
  /// tick (or before it) goes to the current list.
  /// @pre `e` is not linked.
  void insert(timer_entry* e) noexcept;

  /// Unlinks `e` if it is linked. O(1).
  void remove(timer_entry* e) noexcept;

  /// Processes every tick up to and including the one containing `now_ns`:
  /// cascades slots and unlinks every entry whose deadline is at or before
  /// `now_ns`, calling `on_due(entry)` for each in order of due tick.
  /// Ticks without work are skipped. Then moves up to `cascade_step`
  /// entries of open cascade windows down.
  /// @returns the number of entries passed to `on_due`.
  template <class F>
  size_t advance(int64_t now_ns, F&& on_due) {
    auto target = tick_floor(now_ns);
    size_t n = fire_list(&current_, now_ns, on_due);
    for (;;) {
      auto ev = next_slot_event();
      if (!ev || *ev > target)
        break;
      if (*ev > now_)
        now_ = *ev;
      for (auto k = levels_ - 1; k > 0; --k) {
        if ((now_ & level_mask(k)) == 0) {
          finish_window(k);
          cascade(k, slot_of(now_, k));
        }
      }
      auto slot = slot_of(now_, 0);
      n += fire_list(head(0, slot), now_ns, on_due);
      clear_if_empty(0, slot);
      n += fire_list(&current_, now_ns, on_due);
    }
    if (target > now_)
      now_ = target;
    step_windows();
    return n;
  }

  /// @returns whether cascade windows still hold entries to move, i.e. the
  ///          owner should call `advance` again soon.
  bool cascading() const noexcept;

  /// Entries moved per `advance` from open cascade windows.
  static constexpr size_t cascade_step = 256;

  /// Unlinks every entry, calling `f(entry)` for each. Used at shutdown.
  template <class F>
  void clear(F&& f) {
    auto drain_list = [&](timer_entry** list) {
      while (auto e = *list) {
        remove(e);
        f(e);
      }
    };
    drain_list(&current_);
    for (auto& w : windows_)
      drain_list(&w.entries);
    for (auto& h : heads_)
      drain_list(&h);
  }

private:
  // -- implementation details -------------------------------------------------

  /// @returns the next tick at which a slot fires, opens its cascade
  ///          window or cascades.
  std::optional<uint64_t> next_slot_event() const noexcept;

  /// @returns how many ticks before its start a level-k slot's window opens.
  uint64_t window_lead(uint32_t k) const noexcept {
    return std::max<uint64_t>(1, (uint64_t{1} << (bits_ * k)) / 16);
  }

  /// Opens the window of each level's next slot once it is near, and moves
  /// up to `cascade_step` entries of open windows down.
  void step_windows() noexcept;

  /// Moves every entry left in level k's window down; at the slot's start.
  void finish_window(uint32_t k) noexcept;

  uint64_t level_mask(uint32_t k) const noexcept {
    return (uint64_t{1} << (bits_ * k)) - 1;
  }

  uint32_t slot_of(uint64_t tick, uint32_t k) const noexcept {
    return static_cast<uint32_t>((tick >> (bits_ * k)) & (slots_ - 1));
  }

  timer_entry** head(uint32_t k, uint32_t slot) noexcept {
    return &heads_[size_t{k} * slots_ + slot];
  }

  void push_front(timer_entry** list, timer_entry* e) noexcept;

  void clear_if_empty(uint32_t k, uint32_t slot) noexcept;

  void cascade(uint32_t k, uint32_t slot) noexcept;

  // Detaches the whole list, then fires each due entry and files the others
  // again (in the current list, or in the wheel for an entry that was parked
  // beyond the range). Detaching first makes the loop safe against `on_due`
  // or re-insertion touching the same list.
  template <class F>
  size_t fire_list(timer_entry** list, int64_t now_ns, F& on_due) {
    auto e = *list;
    if (e == nullptr)
      return 0;
    *list = nullptr;
    size_t n = 0;
    while (e != nullptr) {
      auto next = e->next;
      e->next = nullptr;
      e->pprev = nullptr;
      if (e->deadline <= now_ns) {
        ++n;
        on_due(e);
      } else {
        insert(e); // current list, or a deadline clamped beyond the range
      }
      e = next;
    }
    return n;
  }

  int64_t origin_;
  int64_t resolution_;
  uint32_t slots_;
  uint32_t bits_;
  uint32_t levels_;
  uint64_t now_ = 0;
  /// Entries whose tick has come: due ones fire on the next `advance`, the
  /// others when the clock reaches their deadline.
  timer_entry* current_ = nullptr;
  std::vector<timer_entry*> heads_;

  /// The slot of one level being cascaded ahead of its start.
  struct cascade_window {
    /// Entries not moved yet; linked like a slot, so `remove` works.
    timer_entry* entries = nullptr;
    /// Start tick of the slot they came from; 0 when none is open.
    uint64_t start = 0;
    /// The tick at which the window last took the slot's list.
    uint64_t taken_at = 0;
  };

  /// One per level (index 0 unused); never resized, so the addresses of
  /// `entries` stay valid for the entries' `pprev`.
  std::vector<cascade_window> windows_;
  std::vector<occupancy_bitmap> occupied_;
};

} // namespace horae::detail
