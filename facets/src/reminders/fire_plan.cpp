// Missed-tick policies, TTL and max-fires as one pure function.
#include <horae/facets/fire_plan.hpp>

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
  uint64_t behind = 0;
  if (now > rec.due)
    behind = static_cast<uint64_t>((now - rec.due) / rec.period);
  clock::wall_time next;
  switch (rec.policy) {
    case missed_tick_policy::catch_up:
      plan.deliver = true;
      plan.missed = 0;
      next = rec.due + rec.period;
      break;
    case missed_tick_policy::skip:
      plan.deliver = behind == 0;
      plan.missed = behind;
      next = rec.due + static_cast<int64_t>(behind + 1) * rec.period;
      break;
    case missed_tick_policy::fire_once:
    default:
      plan.deliver = true;
      plan.missed = behind;
      next = rec.due + static_cast<int64_t>(behind + 1) * rec.period;
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
