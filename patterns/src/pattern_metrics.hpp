// The metrics pattern actors report into the runtime's registry, one set
// per kind of pattern. The registry has no labels, so each metric sums over
// every live actor of its kind; `stats_atom` gives one actor's values.
#pragma once

#include <horae/core/metrics.hpp>

#include "gauge_share.hpp"

namespace horae::detail {

// Each set is made once per actor, when it spawns: registering a name again
// returns the first registration, so every actor of a kind shares the same
// counters and gauges and no message pays for a registry lookup.

/// What a worker pool reports.
struct worker_pool_metrics {
  explicit worker_pool_metrics(metrics& registry);

  /// Jobs waiting in the queue.
  gauge_share queued;
  /// Jobs held outside the queue (policy hold).
  gauge_share held;
  /// Jobs answered with `errc::backpressure`.
  counter& rejected;
  /// Jobs answered with `errc::timeout`.
  counter& timed_out;
};

/// What a broadcaster reports.
struct broadcast_metrics {
  explicit broadcast_metrics(metrics& registry);

  /// Messages waiting in the broadcaster for slow subscribers. Moved from
  /// the subscribers' threads, which acknowledge in parallel: the
  /// broadcaster takes its part back itself when it ends.
  gauge& buffered;
  /// Deliveries dropped by either drop policy.
  counter& dropped;
  /// Subscribers removed by the unsubscribe policy.
  counter& evicted;
};

/// What a rate limiter reports.
struct rate_limiter_metrics {
  explicit rate_limiter_metrics(metrics& registry);

  /// `acquire` requests waiting for a token.
  gauge_share waiting;
  /// `acquire` requests answered with `errc::backpressure`.
  counter& rejected;
  /// `try_acquire` requests answered `false`.
  counter& denied;
};

/// What a pipeline reports.
struct pipeline_metrics {
  explicit pipeline_metrics(metrics& registry);

  /// Items inside the pipeline.
  gauge_share in_flight;
  /// Items answered with `errc::backpressure`.
  counter& rejected;
};

/// What a retry actor reports.
struct retry_metrics {
  explicit retry_metrics(metrics& registry);

  /// Requests waiting for their next attempt.
  gauge_share backing_off;
  /// Requests answered with their last error.
  counter& gave_up;
};

} // namespace horae::detail
