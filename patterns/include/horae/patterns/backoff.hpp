// Exponential backoff with bounded jitter: the delay schedule of `retry`,
// usable on its own and deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Options of a backoff schedule.
struct backoff_options {
  /// Base delay before the first retry. Must not be negative.
  clock::duration initial_delay = std::chrono::milliseconds{100};
  /// Growth factor per retry; at least 1.
  double multiplier = 2.0;
  /// Cap of the base delay; at least `initial_delay`.
  clock::duration max_delay = std::chrono::seconds{10};
  /// Fraction in [0, 1]: each delay is drawn uniformly from
  /// [base * (1 - jitter), base], so jitter only shortens a delay and the
  /// cap holds. Zero gives exact exponential delays.
  double jitter = 0.2;
  /// Seed of the jitter generator; equal seeds give equal delays.
  uint64_t seed = 0x5eed;
};

/// Computes retry delays: base(n) = min(max_delay, initial * multiplier^n)
/// for the n-th retry (counting from 0), then jitter.
class backoff {
public:
  // -- constructors -----------------------------------------------------------

  /// @pre `validate(options)` returned no error.
  explicit backoff(backoff_options options);

  // -- observers --------------------------------------------------------------

  /// @returns the delay before retry `n` without jitter.
  clock::duration base(uint32_t n) const noexcept;

  /// @returns the shortest delay jitter may produce before retry `n`.
  clock::duration lower_bound(uint32_t n) const noexcept;

  const backoff_options& options() const noexcept {
    return options_;
  }

  // -- modifiers --------------------------------------------------------------

  /// Draws the delay before retry `n`, within [lower_bound(n), base(n)].
  clock::duration next(uint32_t n);

private:
  backoff_options options_;
  std::mt19937_64 rng_;
};

/// @returns `errc::invalid_argument` for a negative initial delay, a
///          multiplier below 1, a cap below the initial delay or a jitter
///          outside [0, 1].
caf::error validate(const backoff_options& options);

} // namespace horae
