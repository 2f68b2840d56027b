// Missed-tick policies, TTL and max-fires as one pure function.
#include "reminders/fire_plan.hpp"

#include "reminders/schedule_ticks.hpp"

namespace horae {

fire_plan plan_fire(const reminder_record& rec, clock::wall_time now) {
  fire_plan plan;
  plan.fire_count = rec.fire_count;
  if (rec.expires && now >= *rec.expires)
    return plan; // expired: no delivery, row deleted
  bool cron = !rec.cron.empty();
  if (!cron && rec.period <= clock::duration::zero()) {
    plan.deliver = true;
    plan.fire_count = rec.fire_count + 1;
    return plan; // one-shot: finished after this fire
  }
  auto catch_up = rec.policy == missed_tick_policy::catch_up;
  auto ticks = cron ? detail::cron_ticks(rec, now, !catch_up)
                    : detail::grid_ticks(rec, now);
  std::optional<clock::wall_time> next;
  switch (rec.policy) {
    case missed_tick_policy::catch_up:
      plan.deliver = true;
      plan.missed = 0;
      next = ticks.after_due;
      break;
    case missed_tick_policy::skip:
      plan.deliver = ticks.behind == 0;
      plan.missed = ticks.behind;
      next = ticks.after_now;
      break;
    case missed_tick_policy::fire_once:
    default:
      plan.deliver = true;
      plan.missed = ticks.behind;
      next = ticks.after_now;
      break;
  }
  if (plan.deliver)
    plan.fire_count = rec.fire_count + 1;
  if (!next)
    return plan; // the schedule has no more ticks
  if (rec.max_fires != 0 && plan.fire_count >= rec.max_fires)
    return plan;
  if (rec.expires && *next >= *rec.expires)
    return plan;
  plan.next_due = next;
  return plan;
}

} // namespace horae
