// Tick arithmetic of grid reminders and tick search of cron reminders.
#include "reminders/schedule_ticks.hpp"

#include <algorithm>
#include <limits>

#include <horae/core/saturating_time.hpp>
#include <horae/journaling/cron_schedule.hpp>

namespace horae::detail {

schedule_ticks grid_ticks(const reminder_record& rec, clock::wall_time now) {
  // Saturating throughout: a row with an absurd period or due time must
  // end far in the future, never wrap around into the past.
  schedule_ticks result;
  if (now > rec.due)
    result.behind
      = static_cast<uint64_t>(saturating_sub(now, rec.due) / rec.period);
  auto steps = static_cast<int64_t>(
    std::min<uint64_t>(result.behind, std::numeric_limits<int64_t>::max() - 1)
    + 1);
  result.after_due = saturating_add(rec.due, rec.period);
  result.after_now = saturating_add(rec.due, saturating_mul(rec.period, steps));
  return result;
}

schedule_ticks cron_ticks(const reminder_record& rec, clock::wall_time now,
                          bool count_behind) {
  schedule_ticks result;
  auto schedule = cron_schedule::parse(rec.cron, rec.time_zone);
  if (!schedule)
    return result;
  auto next = [&](clock::wall_time t) -> std::optional<clock::wall_time> {
    if (auto x = schedule->next_after(t))
      return *x;
    return std::nullopt;
  };
  result.after_due = next(rec.due);
  if (!result.after_due || *result.after_due > now) {
    result.after_now = result.after_due;
    return result;
  }
  if (count_behind)
    for (auto tick = result.after_due;
         tick && *tick <= now && result.behind < max_counted_ticks;
         tick = next(*tick))
      ++result.behind;
  result.after_now = next(now);
  return result;
}

} // namespace horae::detail
