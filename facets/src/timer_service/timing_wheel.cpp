// Placement, cancellation and next-event search of the timing wheel; the
// algorithm is described at the top of timing_wheel.hpp.
#include "timer_service/timing_wheel.hpp"

#include <algorithm>

namespace horae::detail {

namespace {

uint32_t log2_of(uint32_t pow2) noexcept {
  return static_cast<uint32_t>(__builtin_ctz(pow2));
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

timing_wheel::timing_wheel(int64_t origin_ns, int64_t resolution_ns,
                           uint32_t slots, uint32_t levels)
  : origin_(origin_ns), resolution_(resolution_ns), slots_(slots),
    bits_(log2_of(slots)) {
  // Levels whose span exceeds 64-bit tick arithmetic can never hold a timer;
  // dropping them keeps every shift below 64.
  levels_ = std::min(levels, 63 / bits_ + 1);
  heads_.assign(size_t{slots_} * levels_, nullptr);
  windows_.resize(levels_);
  occupied_.reserve(levels_);
  for (uint32_t k = 0; k < levels_; ++k)
    occupied_.emplace_back(slots_);
}

// -- observers ----------------------------------------------------------------

uint64_t timing_wheel::tick_floor(int64_t t_ns) const noexcept {
  if (t_ns <= origin_)
    return 0;
  return static_cast<uint64_t>(t_ns - origin_)
         / static_cast<uint64_t>(resolution_);
}

int64_t timing_wheel::tick_start(uint64_t tick) const noexcept {
  return origin_ + static_cast<int64_t>(tick) * resolution_;
}

std::optional<uint64_t> timing_wheel::next_event() const noexcept {
  if (current_ != nullptr)
    return now_;
  return next_slot_event();
}

std::optional<uint64_t> timing_wheel::next_slot_event() const noexcept {
  std::optional<uint64_t> best;
  auto consider = [&](uint64_t tick) {
    if (!best || tick < *best)
      best = tick;
  };
  for (uint32_t k = 0; k < levels_; ++k) {
    // An open window must be finished at its slot's start.
    if (k > 0 && windows_[k].entries != nullptr)
      consider(windows_[k].start);
    auto& bm = occupied_[k];
    if (!bm.any())
      continue;
    auto d = bm.distance_after(slot_of(now_, k));
    // The slot `d` positions ahead starts its span at this tick; for level 0
    // that is simply the tick the slot's timers are due. A higher slot
    // first opens its cascade window, unless that is open already or its
    // opening tick has passed (step_windows opens it then).
    auto shift = bits_ * k;
    auto start = ((now_ >> shift) + d) << shift;
    auto lead = k > 0 ? window_lead(k) : 0;
    if (k > 0 && windows_[k].start != start && start - now_ > lead)
      consider(start - lead);
    else
      consider(start);
  }
  return best;
}

bool timing_wheel::cascading() const noexcept {
  return std::any_of(
    windows_.begin(), windows_.end(),
    [](const cascade_window& w) { return w.entries != nullptr; });
}

std::optional<int64_t> timing_wheel::next_deadline() const noexcept {
  // The current list holds at most one tick's worth of timers.
  std::optional<int64_t> best;
  for (auto e = current_; e != nullptr; e = e->next)
    if (!best || e->deadline < *best)
      best = e->deadline;
  if (best)
    return best;
  if (cascading())
    return tick_start(now_); // more window work: call again at once
  if (auto tick = next_event())
    return tick_start(*tick);
  return std::nullopt;
}

// -- modifiers ----------------------------------------------------------------

void timing_wheel::insert(timer_entry* e) noexcept {
  auto due = tick_floor(e->deadline);
  if (due <= now_) {
    push_front(&current_, e);
    return;
  }
  auto delta = due - now_;
  auto width = 64u - static_cast<uint32_t>(__builtin_clzll(delta));
  auto k = (width - 1) / bits_;
  if (k >= levels_) {
    // Beyond the range (only when the owner lagged behind the clock): park
    // the entry in the farthest top-level slot; it is re-inserted when that
    // slot cascades, still before it is due.
    k = levels_ - 1;
    due = now_ + ((uint64_t{1} << (bits_ * levels_)) - 1);
  }
  auto slot = slot_of(due, k);
  push_front(head(k, slot), e);
  occupied_[k].set(slot);
}

void timing_wheel::remove(timer_entry* e) noexcept {
  auto pprev = e->pprev;
  if (pprev == nullptr)
    return;
  *pprev = e->next;
  if (e->next != nullptr)
    e->next->pprev = pprev;
  e->next = nullptr;
  e->pprev = nullptr;
  // `pprev` points into `heads_` only for the first entry of a slot; if that
  // slot is now empty, its occupancy bit must go or the owner would wake up
  // for nothing.
  if (*pprev == nullptr && pprev >= heads_.data()
      && pprev < heads_.data() + heads_.size()) {
    auto idx = static_cast<size_t>(pprev - heads_.data());
    occupied_[idx / slots_].clear(static_cast<uint32_t>(idx % slots_));
  }
}

// -- implementation details ---------------------------------------------------

void timing_wheel::push_front(timer_entry** list, timer_entry* e) noexcept {
  e->next = *list;
  if (e->next != nullptr)
    e->next->pprev = &e->next;
  e->pprev = list;
  *list = e;
}

void timing_wheel::clear_if_empty(uint32_t k, uint32_t slot) noexcept {
  if (*head(k, slot) == nullptr)
    occupied_[k].clear(slot);
}

void timing_wheel::step_windows() noexcept {
  size_t budget = cascade_step;
  for (uint32_t k = 1; k < levels_ && budget > 0; ++k) {
    auto& w = windows_[k];
    if (w.entries == nullptr) {
      // Open the window of level k's next occupied slot once it is near.
      auto& bm = occupied_[k];
      if (!bm.any())
        continue;
      auto slot = slot_of(now_, k);
      auto d = bm.distance_after(slot);
      auto shift = bits_ * k;
      auto start = ((now_ >> shift) + d) << shift;
      if (start - now_ > window_lead(k))
        continue; // not near yet
      if (start == w.start && now_ == w.taken_at)
        continue; // what is left did not fit at this tick; try at the next
      auto list = head(k, slot_of(start, k));
      w.entries = *list;
      w.entries->pprev = &w.entries;
      *list = nullptr;
      occupied_[k].clear(slot_of(start, k));
      w.start = start;
      w.taken_at = now_;
    }
    // Timers that do not fit a lower level yet return to their slot.
    while (w.entries != nullptr && budget > 0) {
      auto e = w.entries;
      remove(e);
      insert(e);
      --budget;
    }
  }
}

void timing_wheel::finish_window(uint32_t k) noexcept {
  auto& w = windows_[k];
  while (auto e = w.entries) {
    remove(e);
    insert(e);
  }
}

void timing_wheel::cascade(uint32_t k, uint32_t slot) noexcept {
  auto list = head(k, slot);
  auto e = *list;
  if (e == nullptr)
    return;
  *list = nullptr;
  occupied_[k].clear(slot);
  while (e != nullptr) {
    auto next = e->next;
    e->next = nullptr;
    e->pprev = nullptr;
    insert(e);
    e = next;
  }
}

} // namespace horae::detail
