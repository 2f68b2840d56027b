// Time arithmetic that stops at the ends of the 64-bit nanosecond range
// instead of wrapping: a hand-edited row or a huge period must never turn a
// due time far in the future into one in the past.
#pragma once

#include <cstdint>
#include <limits>

#include <horae/core/clock.hpp>

namespace horae {

/// @returns `x * n`, or the largest duration of its sign on overflow.
inline clock::duration saturating_mul(clock::duration x, int64_t n) noexcept {
  int64_t result = 0;
  if (__builtin_mul_overflow(x.count(), n, &result))
    return (x.count() < 0) != (n < 0) ? clock::duration::min()
                                      : clock::duration::max();
  return clock::duration{result};
}

/// @returns `t + d`, or the earliest or latest representable time.
template <class Clock>
std::chrono::time_point<Clock, clock::duration>
saturating_add(std::chrono::time_point<Clock, clock::duration> t,
               clock::duration d) noexcept {
  using tp = std::chrono::time_point<Clock, clock::duration>;
  int64_t result = 0;
  if (__builtin_add_overflow(t.time_since_epoch().count(), d.count(), &result))
    return d.count() < 0 ? tp{clock::duration::min()}
                         : tp{clock::duration::max()};
  return tp{clock::duration{result}};
}

/// @returns `x - y`, or the largest duration of its sign on overflow.
template <class Clock>
clock::duration
saturating_sub(std::chrono::time_point<Clock, clock::duration> x,
               std::chrono::time_point<Clock, clock::duration> y) noexcept {
  int64_t result = 0;
  if (__builtin_sub_overflow(x.time_since_epoch().count(),
                             y.time_since_epoch().count(), &result))
    return y > x ? clock::duration::min() : clock::duration::max();
  return clock::duration{result};
}

} // namespace horae
