// Pipeline: a chain of stage actors; each item passes every stage in turn
// and the last stage's answer goes back to the requester, in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include <horae/core/actor_factory.hpp>
#include <horae/core/fwd.hpp>
#include <horae/patterns/atoms.hpp>

namespace horae {

/// Options of `spawn_pipeline`.
struct pipeline_options {
  /// Behaviour of each stage, first to last; one actor per stage. A stage
  /// receives the previous stage's response (the item itself for the first)
  /// and its response feeds the next. At least one stage.
  std::vector<actor_factory> stages;
  /// Items inside the pipeline at once; more are answered with
  /// `errc::backpressure`. At least 1.
  size_t max_in_flight = 64;
  /// Answer items in submission order even when a later item finishes
  /// first (stages that answer asynchronously can reorder). With `false`,
  /// each item is answered as soon as it leaves the last stage.
  bool ordered = true;
};

/// Counters of a pipeline, answered to `stats_atom`.
struct pipeline_stats {
  /// Items accepted.
  uint64_t accepted = 0;
  /// Items answered with the last stage's response.
  uint64_t completed = 0;
  /// Items answered with a stage's error.
  uint64_t failed = 0;
  /// Items answered with `errc::backpressure`.
  uint64_t rejected = 0;
  /// Items answered with `errc::cancelled`.
  uint64_t cancelled = 0;
  /// Items inside the pipeline now.
  uint64_t in_flight = 0;
};

/// Spawns a pipeline.
///
/// Protocol:
/// - any other message: an item; answered with the last stage's response,
///   or with the first error a stage produced (later stages are skipped),
///   `errc::backpressure`, `errc::cancelled` or `errc::closed`.
/// - `cancel_atom` -> `uint64_t`: answers every item inside the pipeline
///   with `errc::cancelled`; late stage responses are discarded.
/// - `stats_atom` -> `pipeline_stats`.
/// - `close_atom` -> `pipeline_stats`: stops intake, waits until every
///   accepted item is answered, stops the stages and quits.
///
/// Order: with `ordered`, answers leave in submission order; an error or
/// cancellation takes its item's place in that order.
/// @returns the pipeline, or `errc::invalid_argument` for no stages, an
///          empty stage behaviour or `max_in_flight == 0`.
caf::expected<caf::actor> spawn_pipeline(runtime& rt, pipeline_options options);

/// Checks `options` as `spawn_pipeline` does.
caf::error validate(const pipeline_options& options);

} // namespace horae

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::pipeline_stats)
