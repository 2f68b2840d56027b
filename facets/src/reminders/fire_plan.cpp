// Missed-tick policies, TTL and max-fires as one pure function.
#include "reminders/fire_plan.hpp"

#include <algorithm>
#include <limits>

#include <horae/core/saturating_time.hpp>

namespace horae {

fire_plan plan_fire(const reminder_record& rec, clock::wall_time now) {
  fire_plan plan;
  plan.fire_count = rec.fire_count;
  if (rec.expires && now >= *rec.expires)
    return plan; // expired: no delivery, row deleted
  if (rec.period <= clock::duration::zero()) {
    plan.deliver = true;
    plan.fire_count = rec.fire_count + 1;
    return plan; // one-shot: finished after this fire
  }
  // Saturating throughout: a row with an absurd period or due time must
  // end far in the future, never wrap around into the past.
  uint64_t behind = 0;
  if (now > rec.due)
    behind = static_cast<uint64_t>(saturating_sub(now, rec.due) / rec.period);
  auto steps = static_cast<int64_t>(
    std::min<uint64_t>(behind, std::numeric_limits<int64_t>::max() - 1) + 1);
  clock::wall_time next;
  switch (rec.policy) {
    case missed_tick_policy::catch_up:
      plan.deliver = true;
      plan.missed = 0;
      next = saturating_add(rec.due, rec.period);
      break;
    case missed_tick_policy::skip:
      plan.deliver = behind == 0;
      plan.missed = behind;
      next = saturating_add(rec.due, saturating_mul(rec.period, steps));
      break;
    case missed_tick_policy::fire_once:
    default:
      plan.deliver = true;
      plan.missed = behind;
      next = saturating_add(rec.due, saturating_mul(rec.period, steps));
      break;
  }
  if (plan.deliver)
    plan.fire_count = rec.fire_count + 1;
  if (rec.max_fires != 0 && plan.fire_count >= rec.max_fires)
    return plan;
  if (rec.expires && next >= *rec.expires)
    return plan;
  plan.next_due = next;
  return plan;
}

} // namespace horae
