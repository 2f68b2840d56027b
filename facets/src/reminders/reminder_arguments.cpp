// Argument checks of reminder registrations.
#include "reminders/reminder_arguments.hpp"

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>

namespace horae::detail {

namespace {

// Far enough for any schedule, near enough that wall time plus it cannot
// overflow 64-bit nanoseconds (about 292 years).
constexpr clock::duration max_span = max_reminder_period;

caf::error bad(errc code, const std::string& name, const std::string& what) {
  return make_error(code,
                    "reminder '" + quote_for_message(name) + "': " + what);
}

} // namespace

caf::error validate(const std::string& name, clock::duration due_in,
                    clock::duration period, const reminder_options& options,
                    const reminder_service_config& cfg) {
  if (auto err = check_name("reminder name", name))
    return err;
  if (due_in < clock::duration::zero())
    return bad(errc::invalid_argument, name,
               "negative due time " + format_duration(due_in));
  if (due_in > max_span)
    return bad(errc::out_of_range, name,
               "due time " + format_duration(due_in)
                 + " is more than 100 years away");
  if (period < clock::duration::zero())
    return bad(errc::invalid_argument, name,
               "negative period " + format_duration(period));
  if (period > max_span)
    return bad(errc::out_of_range, name,
               "period " + format_duration(period) + " exceeds 100 years");
  if (period > clock::duration::zero() && period < cfg.min_period)
    return bad(errc::out_of_range, name,
               "period " + format_duration(period) + " is below the minimum of "
                 + format_duration(cfg.min_period)
                 + " (horae.reminders.min-period)");
  if (options.ttl && *options.ttl <= clock::duration::zero())
    return bad(errc::invalid_argument, name, "TTL must be positive");
  if (options.ttl && *options.ttl > max_span)
    return bad(errc::out_of_range, name, "TTL exceeds 100 years");
  if (options.ttl && *options.ttl <= due_in)
    return bad(errc::invalid_argument, name,
               "TTL " + format_duration(*options.ttl)
                 + " ends before the first fire, due in "
                 + format_duration(due_in));
  if (options.payload.size() > cfg.max_payload_bytes)
    return bad(errc::invalid_argument, name,
               "payload of " + std::to_string(options.payload.size())
                 + " bytes exceeds horae.reminders.max-payload-bytes = "
                 + std::to_string(cfg.max_payload_bytes));
  if (!is_valid(options.policy))
    return bad(errc::invalid_argument, name, "unknown missed-tick policy");
  if (options.on_failure)
    if (auto err = validate(*options.on_failure))
      return bad(code_of(err), name, describe(err));
  return caf::none;
}

} // namespace horae::detail
