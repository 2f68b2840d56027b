// Backoff delay schedule: exponential growth, cap, and subtractive jitter.
#include <cmath>

#include <horae/core/error.hpp>
#include <horae/patterns/backoff.hpp>

namespace horae {

backoff::backoff(backoff_options options)
  : options_(options), rng_(options.seed) {
  // nop
}

clock::duration backoff::base(uint32_t n) const noexcept {
  // Work in double nanoseconds so that large exponents saturate at the cap
  // instead of overflowing an integer.
  auto initial = static_cast<double>(options_.initial_delay.count());
  auto cap = static_cast<double>(options_.max_delay.count());
  auto value = initial * std::pow(options_.multiplier, static_cast<double>(n));
  if (!(value < cap))
    return options_.max_delay;
  return clock::duration{static_cast<clock::duration::rep>(value)};
}

clock::duration backoff::lower_bound(uint32_t n) const noexcept {
  auto b = static_cast<double>(base(n).count());
  return clock::duration{
    static_cast<clock::duration::rep>(std::ceil(b * (1.0 - options_.jitter)))};
}

clock::duration backoff::next(uint32_t n) {
  auto hi = base(n).count();
  auto lo = lower_bound(n).count();
  if (lo >= hi)
    return base(n);
  std::uniform_int_distribution<clock::duration::rep> dist{lo, hi};
  return clock::duration{dist(rng_)};
}

caf::error validate(const backoff_options& options) {
  if (options.initial_delay < clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "backoff: initial_delay must not be negative");
  if (!(options.multiplier >= 1.0))
    return make_error(errc::invalid_argument,
                      "backoff: multiplier must be at least 1");
  if (options.max_delay < options.initial_delay)
    return make_error(errc::invalid_argument,
                      "backoff: max_delay must be at least initial_delay");
  if (!(options.jitter >= 0.0 && options.jitter <= 1.0))
    return make_error(errc::invalid_argument,
                      "backoff: jitter must be within [0, 1]");
  return caf::none;
}

} // namespace horae
