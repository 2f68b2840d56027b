// The system time zone database (/usr/share/zoneinfo) behind cron schedules.
#include "cron/time_zones.hpp"

#include <exception>
#include <string>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/cron_schedule.hpp>

namespace horae::detail {

caf::expected<const date::time_zone*> find_time_zone(std::string_view name) {
  auto fail = [&](const std::string& why) {
    return make_error(errc::invalid_argument,
                      "time zone '" + quote_for_message(name) + "': " + why);
  };
  if (name.empty())
    return fail("must not be empty (use UTC for universal time)");
  if (name.size() > cron_schedule::max_time_zone_length)
    return fail("longer than "
                + std::to_string(cron_schedule::max_time_zone_length)
                + " characters");
  if (name == "UTC")
    return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    // The database throws for names it lacks, and when it cannot be read.
    return fail("unknown; expected an IANA name such as Europe/Berlin, read "
                "from the system time zone database (package tzdata)");
  }
}

} // namespace horae::detail
