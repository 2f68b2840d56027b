// Parsing a cron schedule and finding its next match in its time zone.
#include <string>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/cron_schedule.hpp>
#include <horae/journaling/reminder_record.hpp>

#include "cron/local_search.hpp"
#include "cron/time_zones.hpp"

namespace horae {

namespace {

using std::chrono::minutes;

/// Days of local calendar searched beyond the latest reminder time, so that
/// a zone's offset can never cut the search short.
constexpr minutes search_margin = std::chrono::hours{48};

/// Local minutes a search may step over one by one because their instants
/// are already past (the repeated hour of a fall-back, at most a few
/// hours); more means the arithmetic went wrong, not that the schedule has
/// no match.
constexpr int max_skipped_matches = 24 * 60;

caf::error no_match(const cron_schedule& s, const char* why) {
  return make_error(errc::out_of_range,
                    "cron schedule '" + quote_for_message(s.expression())
                      + "' in " + s.time_zone() + ": " + why);
}

} // namespace

caf::expected<cron_schedule> cron_schedule::parse(std::string_view expression,
                                                  std::string_view time_zone) {
  if (expression.size() > max_expression_length)
    return make_error(
      errc::invalid_argument,
      "cron expression '" + quote_for_message(expression) + "' is longer than "
        + std::to_string(max_expression_length) + " characters");
  auto fields = parse_cron_fields(expression);
  if (!fields)
    return std::move(fields.error());
  if (auto zone = detail::find_time_zone(time_zone); !zone)
    return std::move(zone.error());
  cron_schedule result;
  result.fields_ = *fields;
  result.expression_ = std::string{expression};
  result.time_zone_ = std::string{time_zone};
  return result;
}

caf::expected<clock::wall_time>
cron_schedule::next_after(clock::wall_time t) const {
  if (t < clock::wall_time{} || t > latest_reminder_time)
    return no_match(*this, "search starts outside 1970 to 2200");
  auto zone = detail::find_time_zone(time_zone_);
  if (!zone)
    return std::move(zone.error());
  auto sys = date::sys_time<clock::duration>{t.time_since_epoch()};
  auto to_local = [&](date::sys_time<clock::duration> x) {
    return *zone == nullptr ? x.time_since_epoch()
                            : (*zone)->to_local(x).time_since_epoch();
  };
  auto from = date::floor<minutes>(to_local(sys)) + minutes{1};
  auto limit = date::floor<minutes>(to_local(date::sys_time<clock::duration>{
                 latest_reminder_time.time_since_epoch()}))
               + search_margin;
  for (int skipped = 0; skipped < max_skipped_matches; ++skipped) {
    auto local = detail::first_match(fields_, from, limit);
    if (!local)
      return no_match(*this, "no matching time before 2200");
    // The instant of that local minute, by the daylight-saving rule.
    date::sys_time<clock::duration> instant{*local};
    if (*zone != nullptr) {
      auto info = (*zone)->get_info(date::local_time<minutes>{*local});
      if (info.result == date::local_info::nonexistent)
        instant = info.second.begin; // fire as the gap ends
      else
        instant = date::sys_time<clock::duration>{*local - info.first.offset};
    }
    if (instant > sys) {
      if (instant.time_since_epoch() > latest_reminder_time.time_since_epoch())
        return no_match(*this, "no matching time before 2200");
      return clock::wall_time{instant.time_since_epoch()};
    }
    // A local minute whose instant is past: the second pass through a
    // repeated hour, or a gap's minutes that all fire at its end.
    from = *local + minutes{1};
  }
  return no_match(*this, "no matching time found");
}

caf::error check_time_zone(std::string_view name) {
  if (auto zone = detail::find_time_zone(name); !zone)
    return std::move(zone.error());
  return caf::none;
}

} // namespace horae
