// Retry: forwards each request to a target and retries failures after an
// exponential backoff with jitter, driven by a TimerFacet.
#pragma once

#include <cstdint>
#include <functional>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/fwd.hpp>
#include <horae/patterns/atoms.hpp>
#include <horae/patterns/backoff.hpp>

namespace horae {

/// Options of `spawn_retry`.
struct retry_options {
  /// The actor that does the work; receives each request unchanged.
  caf::actor target;
  /// Attempts per request including the first; at least 1.
  uint32_t max_attempts = 3;
  /// Delays between attempts.
  backoff_options backoff;
  /// Per-attempt deadline (a CAF request timeout); zero: none. A timed-out
  /// attempt counts as failed with `errc::timeout`.
  clock::duration attempt_timeout{0};
  /// Decides whether an error is worth retrying; unset: every error is.
  std::function<bool(const caf::error&)> retry_if;
};

/// Counters of a retry actor, answered to `stats_atom`.
struct retry_stats {
  /// Requests received.
  uint64_t requests = 0;
  /// Attempts sent to the target.
  uint64_t attempts = 0;
  /// Requests answered with the target's value.
  uint64_t succeeded = 0;
  /// Requests answered with their final error.
  uint64_t gave_up = 0;
  /// Requests waiting for a backoff to elapse now.
  uint64_t backing_off = 0;
};

/// Spawns a retry actor.
///
/// Protocol:
/// - any other message: sent to the target; a value is passed back; an
///   error is retried after `backoff.next(n)` until `max_attempts` or
///   `retry_if` says no, then the final (last) error is passed back as is.
/// - `stats_atom` -> `retry_stats`.
/// @returns the actor, or `errc::invalid_argument` for no target, zero
///          attempts, a negative attempt timeout or invalid backoff options.
/// @pre the runtime has the timers module.
caf::expected<caf::actor> spawn_retry(runtime& rt, retry_options options);

/// Checks `options` as `spawn_retry` does.
caf::error validate(const retry_options& options);

} // namespace horae

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::retry_stats)
