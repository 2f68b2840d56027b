// What happens to a reminder fire whose delivery failed: the behaviour had
// no handler for it, threw, or its activation ended before handling it.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// What a fire does once its retries are used up. The numeric values are
/// persisted and must never change.
enum class exhausted_action : uint8_t {
  /// Give the fire up: it is recorded as failed, logged and counted; a
  /// periodic reminder continues with its next tick, a one-shot is deleted.
  drop = 0,
  /// Keep retrying at the longest retry delay until a delivery succeeds.
  retry_forever = 1,
};

/// @returns the enumerator's name, e.g. "retry_forever".
const char* to_string(exhausted_action x) noexcept;

/// Parses the name produced by `to_string`.
/// @returns the action or `errc::invalid_argument` naming the bad input.
caf::expected<exhausted_action>
exhausted_action_from_string(const std::string& str);

/// @returns whether `x` is a numeric value this build knows.
bool is_valid(exhausted_action x) noexcept;

/// Retries of one fire: attempt 1 is the first delivery, attempt `n + 1`
/// follows `retry_delay * 2^(n - 1)` (at most `max_retry_delay`) after
/// attempt `n` failed.
struct failure_policy {
  /// Further attempts after the first one failed.
  uint32_t max_retries = 3;
  /// Pause before the first retry; each further retry doubles it.
  clock::duration retry_delay = std::chrono::seconds{1};
  /// Longest pause between two attempts.
  clock::duration max_retry_delay = std::chrono::minutes{1};
  /// What follows the last retry.
  exhausted_action then = exhausted_action::drop;
};

/// @relates failure_policy
bool operator==(const failure_policy& x, const failure_policy& y) noexcept;

/// @relates failure_policy
inline bool operator!=(const failure_policy& x,
                       const failure_policy& y) noexcept {
  return !(x == y);
}

/// Most retries a policy may ask for; `retry_forever` is the way to ask for
/// more.
constexpr uint32_t max_failure_retries = 1000;

/// Longest retry delay a policy may ask for.
constexpr clock::duration max_failure_retry_delay = std::chrono::hours{24};

/// @returns `invalid_argument` for a negative or zero delay or a longest
///          delay below the first, `out_of_range` for more retries or longer
///          delays than the limits above, or an unknown action; else none.
caf::error validate(const failure_policy& x);

/// @returns whether attempt `failed_attempt` (1 for the first delivery)
///          failing leaves another attempt.
bool retries_left(const failure_policy& x, uint32_t failed_attempt) noexcept;

/// @returns the pause between failed attempt `failed_attempt` and the next.
clock::duration retry_delay_after(const failure_policy& x,
                                  uint32_t failed_attempt) noexcept;

} // namespace horae
