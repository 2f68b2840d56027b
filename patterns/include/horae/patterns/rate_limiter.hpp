// Token-bucket rate limiter driven by a TimerFacet: an "allow now?" form and
// a "wait for a token" form with an optional deadline.
#pragma once

#include <cstddef>
#include <cstdint>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/fwd.hpp>
#include <horae/patterns/atoms.hpp>

namespace horae {

/// Options of `spawn_rate_limiter`.
struct rate_limiter_options {
  /// Bucket capacity: the most tokens that can be taken at once after a
  /// quiet period. At least 1. The bucket starts full.
  uint64_t burst = 10;
  /// Tokens added per refill tick. At least 1.
  uint64_t tokens_per_refill = 1;
  /// Time between refill ticks (fixed rate). Positive.
  clock::duration refill_interval = std::chrono::milliseconds{100};
  /// Most `acquire` requests waiting for a token; more are answered with
  /// `errc::backpressure`. Zero makes `acquire` behave like `try_acquire`
  /// that fails with `errc::backpressure`.
  size_t max_waiters = 1024;
};

/// Counters of a rate limiter, answered to `stats_atom`.
struct rate_limiter_stats {
  /// Tokens in the bucket now.
  uint64_t tokens = 0;
  /// `acquire` requests waiting now.
  uint64_t waiting = 0;
  /// Tokens handed out (both forms).
  uint64_t granted = 0;
  /// `try_acquire` requests answered `false`.
  uint64_t denied = 0;
  /// `acquire` requests answered with `errc::backpressure`.
  uint64_t rejected = 0;
  /// `acquire` requests answered with `errc::timeout`.
  uint64_t timed_out = 0;
};

/// Spawns a token-bucket rate limiter.
///
/// Algorithm: a periodic TimerFacet timer adds `tokens_per_refill` every
/// `refill_interval` (ticks that fell due while the actor was busy are
/// folded in through `timer_fired::coalesced`, so none is lost), capped at
/// `burst`. After each refill, waiters are served first-come first-served.
///
/// Protocol:
/// - `try_acquire_atom` -> `bool`: takes one token if there is one.
///   `try_acquire_atom, uint64_t n` -> `bool`: takes `n` or none.
/// - `acquire_atom` -> `uint64_t` (tokens left): answered once a token was
///   taken for the requester; waits behind earlier waiters.
///   `acquire_atom, caf::timespan max_wait` -> the same, or `errc::timeout`
///   when no token was granted within `max_wait`.
/// - `stats_atom` -> `rate_limiter_stats`.
/// @returns the limiter, or `errc::invalid_argument` for a zero burst, zero
///          tokens per refill or a non-positive interval.
/// @pre the runtime has the timers module.
caf::expected<caf::actor> spawn_rate_limiter(runtime& rt,
                                             rate_limiter_options options);

/// Checks `options` as `spawn_rate_limiter` does.
caf::error validate(const rate_limiter_options& options);

} // namespace horae

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::rate_limiter_stats)
