// Names and descriptions of the pattern actors' metrics (docs/metrics.md
// lists them).
#include "pattern_metrics.hpp"

namespace horae::detail {

worker_pool_metrics::worker_pool_metrics(metrics& registry)
  : queued(registry.add_gauge("horae_worker_pool_queued",
                              "jobs waiting for a worker, over all pools")),
    held(registry.add_gauge("horae_worker_pool_held",
                            "jobs held outside full queues (policy hold)")),
    rejected(registry.add_counter("horae_worker_pool_rejected_total",
                                  "jobs rejected by a full queue")),
    timed_out(registry.add_counter("horae_worker_pool_timed_out_total",
                                   "jobs answered with a timeout")) {
  // nop
}

broadcast_metrics::broadcast_metrics(metrics& registry)
  : buffered(registry.add_gauge(
    "horae_broadcast_buffered",
    "messages waiting in broadcasters for slow subscribers")),
    dropped(registry.add_counter(
      "horae_broadcast_dropped_total",
      "deliveries dropped for slow subscribers (either drop policy)")),
    evicted(registry.add_counter(
      "horae_broadcast_evicted_total",
      "slow subscribers removed by the unsubscribe policy")) {
  // nop
}

rate_limiter_metrics::rate_limiter_metrics(metrics& registry)
  : waiting(registry.add_gauge("horae_rate_limiter_waiting",
                               "acquire requests waiting for a token")),
    rejected(registry.add_counter(
      "horae_rate_limiter_rejected_total",
      "acquire requests rejected because max_waiters wait already")),
    denied(registry.add_counter("horae_rate_limiter_denied_total",
                                "try_acquire requests answered false")) {
  // nop
}

pipeline_metrics::pipeline_metrics(metrics& registry)
  : in_flight(
    registry.add_gauge("horae_pipeline_in_flight", "items inside pipelines")),
    rejected(registry.add_counter("horae_pipeline_rejected_total",
                                  "items rejected by a full pipeline")) {
  // nop
}

retry_metrics::retry_metrics(metrics& registry)
  : backing_off(registry.add_gauge("horae_retry_backing_off",
                                   "requests waiting for their next attempt")),
    gave_up(registry.add_counter("horae_retry_gave_up_total",
                                 "requests answered with their last error")) {
  // nop
}

} // namespace horae::detail
