// Comparison and validation of reminder keys and records.
#include <tuple>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/cron_schedule.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae {

std::string to_string(const reminder_key& x) {
  std::string result;
  result.reserve(x.actor_type.size() + x.actor_key.size() + x.name.size() + 2);
  result += x.actor_type;
  result += '/';
  result += x.actor_key;
  result += '/';
  result += x.name;
  return result;
}

bool operator==(const reminder_record& x, const reminder_record& y) {
  auto fields = [](const reminder_record& r) {
    return std::tie(r.key, r.payload, r.anchor, r.due, r.period, r.cron,
                    r.time_zone, r.max_fires, r.expires, r.fire_count, r.policy,
                    r.on_failure, r.failed_fires, r.revision, r.created,
                    r.updated);
  };
  return fields(x) == fields(y);
}

caf::error validate(const reminder_key& key) {
  // Lengths first, so that no message below quotes a huge key.
  if (auto err = check_name("reminder actor type", key.actor_type))
    return err;
  if (key.actor_key.size() > max_name_length)
    return check_name("reminder actor key", key.actor_key);
  if (auto err = check_name("reminder name", key.name))
    return err;
  if (key.actor_type.empty())
    return make_error(errc::invalid_argument,
                      "reminder key " + to_string(key)
                        + ": actor type must not be empty");
  if (key.name.empty())
    return make_error(errc::invalid_argument, "reminder key " + to_string(key)
                                                + ": name must not be empty");
  return caf::none;
}

namespace {

caf::error validate_cron(const reminder_record& rec) {
  auto fail = [&](const std::string& what) {
    return make_error(errc::invalid_argument,
                      "reminder " + to_string(rec.key) + ": " + what);
  };
  if (rec.cron.empty()) {
    if (!rec.time_zone.empty())
      return fail("time zone without a cron expression");
    return caf::none;
  }
  if (rec.period.count() != 0)
    return fail("a cron reminder has no period");
  if (auto schedule = cron_schedule::parse(rec.cron, rec.time_zone); !schedule)
    return fail(describe(schedule.error()));
  return caf::none;
}

} // namespace

caf::error validate(const reminder_record& rec) {
  if (auto err = validate(rec.key))
    return err;
  auto fail = [&](const char* what) {
    return make_error(errc::invalid_argument,
                      "reminder " + to_string(rec.key) + ": " + what);
  };
  if (rec.period.count() < 0)
    return fail("period must not be negative");
  if (rec.period > max_reminder_period)
    return fail("period exceeds 100 years");
  auto in_range = [](clock::wall_time t) {
    return t >= clock::wall_time{} && t <= latest_reminder_time;
  };
  if (!in_range(rec.due))
    return fail("due time outside 1970 to 2200");
  if (!in_range(rec.anchor))
    return fail("anchor outside 1970 to 2200");
  if (rec.expires && !in_range(*rec.expires))
    return fail("expiry outside 1970 to 2200");
  if (!is_valid(rec.policy))
    return fail("unknown missed-tick policy");
  if (rec.max_fires != 0 && rec.fire_count > rec.max_fires)
    return fail("fire count exceeds max fires");
  if (auto err = validate_cron(rec))
    return err;
  if (rec.on_failure)
    if (auto err = validate(*rec.on_failure))
      return make_error(code_of(err), "reminder " + to_string(rec.key) + ": "
                                        + describe(err));
  return caf::none;
}

} // namespace horae
