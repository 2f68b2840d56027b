// Validation and backoff arithmetic of reminder failure policies.
#include <algorithm>
#include <tuple>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/journaling/failure_policy.hpp>

namespace horae {

const char* to_string(exhausted_action x) noexcept {
  switch (x) {
    case exhausted_action::drop:
      return "drop";
    case exhausted_action::retry_forever:
      return "retry_forever";
  }
  return "unknown";
}

caf::expected<exhausted_action>
exhausted_action_from_string(const std::string& str) {
  if (str == "drop")
    return exhausted_action::drop;
  if (str == "retry_forever")
    return exhausted_action::retry_forever;
  return make_error(errc::invalid_argument,
                    "unknown failure action '" + str
                      + "' (expected drop or retry_forever)");
}

bool is_valid(exhausted_action x) noexcept {
  return x == exhausted_action::drop || x == exhausted_action::retry_forever;
}

bool operator==(const failure_policy& x, const failure_policy& y) noexcept {
  auto fields = [](const failure_policy& p) {
    return std::tie(p.max_retries, p.retry_delay, p.max_retry_delay, p.then);
  };
  return fields(x) == fields(y);
}

caf::error validate(const failure_policy& x) {
  auto fail = [](errc code, const std::string& what) {
    return make_error(code, "failure policy: " + what);
  };
  if (x.max_retries > max_failure_retries)
    return fail(errc::out_of_range, std::to_string(x.max_retries)
                                      + " retries exceed the limit of "
                                      + std::to_string(max_failure_retries)
                                      + "; use retry_forever instead");
  if (x.retry_delay <= clock::duration::zero())
    return fail(errc::invalid_argument, "retry delay "
                                          + format_duration(x.retry_delay)
                                          + " must be positive");
  if (x.max_retry_delay < x.retry_delay)
    return fail(errc::invalid_argument, "longest retry delay "
                                          + format_duration(x.max_retry_delay)
                                          + " is below the first retry delay "
                                          + format_duration(x.retry_delay));
  if (x.max_retry_delay > max_failure_retry_delay)
    return fail(errc::out_of_range,
                "longest retry delay " + format_duration(x.max_retry_delay)
                  + " exceeds " + format_duration(max_failure_retry_delay));
  if (!is_valid(x.then))
    return fail(errc::invalid_argument, "unknown action after the retries");
  return caf::none;
}

bool retries_left(const failure_policy& x, uint32_t failed_attempt) noexcept {
  return x.then == exhausted_action::retry_forever
         || failed_attempt <= x.max_retries;
}

clock::duration retry_delay_after(const failure_policy& x,
                                  uint32_t failed_attempt) noexcept {
  // Doubling stops at the cap, long before the shift could overflow.
  auto delay = x.retry_delay;
  for (uint32_t i = 1; i < failed_attempt && delay < x.max_retry_delay; ++i)
    delay *= 2;
  return std::min(delay, x.max_retry_delay);
}

} // namespace horae
