// The token `timer_service::schedule` returns; `cancel` takes it back.
#pragma once

#include <cstdint>

namespace horae {

namespace detail {

struct timer_entry;

} // namespace detail

/// Opaque reference to one scheduled timer: the entry it lives in plus the
/// entry's generation at scheduling time. Entries are recycled, so the
/// generation is what makes a stale handle harmless: cancelling it after the
/// timer fired (and its entry was reused) is a no-op returning `false`.
///
/// Trivially copyable; a default-constructed handle is invalid.
class timer_handle {
public:
  // -- constructors, destructors, and assignment operators --------------------

  constexpr timer_handle() noexcept = default;

  constexpr timer_handle(detail::timer_entry* entry,
                         uint32_t generation) noexcept
    : entry_(entry), generation_(generation) {
    // nop
  }

  // -- observers --------------------------------------------------------------

  /// @returns whether this handle was returned by a successful `schedule`.
  /// @note A valid handle may refer to a timer that already fired.
  constexpr bool valid() const noexcept {
    return entry_ != nullptr;
  }

  /// @returns the entry this handle refers to (internal use).
  constexpr detail::timer_entry* entry() const noexcept {
    return entry_;
  }

  /// @returns the entry generation this handle was issued for.
  constexpr uint32_t generation() const noexcept {
    return generation_;
  }

  friend constexpr bool operator==(timer_handle x, timer_handle y) noexcept {
    return x.entry_ == y.entry_ && x.generation_ == y.generation_;
  }

  friend constexpr bool operator!=(timer_handle x, timer_handle y) noexcept {
    return !(x == y);
  }

private:
  detail::timer_entry* entry_ = nullptr;
  uint32_t generation_ = 0;
};

} // namespace horae
