// Worker pool: a fixed number of worker actors behind a bounded queue,
// dispatched in the sender's context, with per-job timeouts, cancellation
// and drain.
#pragma once

#include <cstddef>
#include <cstdint>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

#include <horae/core/actor_factory.hpp>
#include <horae/core/clock.hpp>
#include <horae/core/fwd.hpp>
#include <horae/patterns/atoms.hpp>

namespace horae {

/// What the pool does with a job that finds the queue full.
enum class overflow_policy {
  /// Answer at once with `errc::backpressure`; the sender decides.
  reject,
  /// Leave the request unanswered (the sender waits) and admit it, in
  /// arrival order, as soon as the queue has room. Held jobs are not yet
  /// accepted: `close` answers them with `errc::closed`.
  hold,
};

/// Options of `spawn_worker_pool`.
struct worker_pool_options {
  /// Number of workers; fixed for the pool's lifetime (a worker that dies
  /// is replaced). Must be at least 1.
  size_t workers = 4;
  /// Jobs that may wait for a worker (running jobs do not count). >= 1.
  size_t capacity = 64;
  /// Policy for a job that finds `capacity` jobs waiting.
  overflow_policy overflow = overflow_policy::reject;
  /// Deadline per job, counted from acceptance and covering queueing and
  /// running; zero disables it. Must not be negative.
  clock::duration job_timeout{0};
  /// Behaviour of each worker. A worker receives the job message exactly as
  /// the requester sent it and its response goes back to the requester.
  actor_factory worker;
};

/// Counters of a worker pool, answered to `stats_atom`.
struct worker_pool_stats {
  /// Jobs admitted to the queue.
  uint64_t accepted = 0;
  /// Jobs answered with `errc::backpressure` (policy reject).
  uint64_t rejected = 0;
  /// Jobs whose worker answered with a value.
  uint64_t completed = 0;
  /// Jobs whose worker answered with an error.
  uint64_t failed = 0;
  /// Jobs answered with `errc::timeout`.
  uint64_t timed_out = 0;
  /// Jobs answered with `errc::cancelled`.
  uint64_t cancelled = 0;
  /// Jobs answered with `errc::closed` (arrived after close, or held).
  uint64_t refused_closed = 0;
  /// Jobs waiting in the queue now.
  uint64_t queued = 0;
  /// Jobs held outside the queue now (policy hold).
  uint64_t held = 0;
  /// Workers running a job now.
  uint64_t busy = 0;
};

/// A job with a caller-chosen tag so that it can be cancelled while queued
/// with `cancel_atom, tag`. Untagged jobs are plain messages.
struct tagged_job {
  /// Caller-chosen tag; several jobs may share one.
  uint64_t tag = 0;
  /// The message handed to the worker.
  caf::message content;
};

/// Spawns a worker pool.
///
/// Protocol (every answer goes to the requester through CAF's
/// request/response, so `self->request(pool, 1s, job).then(...)` works):
/// - any other message `m`: a job; answered with the worker's response to
///   `m`, or `errc::backpressure`, `errc::timeout`, `errc::cancelled`,
///   `errc::closed`.
/// - `tagged_job{tag, m}`: the same, cancellable by tag.
/// - `cancel_atom` -> `uint64_t`: cancels every queued job; running jobs
///   are not interrupted. `cancel_atom, uint64_t tag` -> `uint64_t`: only
///   queued jobs with that tag.
/// - `stats_atom` -> `worker_pool_stats`.
/// - `close_atom` -> `worker_pool_stats`: stops intake, answers held jobs
///   with `errc::closed`, lets every accepted job finish (or time out), then
///   answers, stops the workers and quits.
///
/// Ordering: jobs are dispatched in acceptance order (FIFO) to idle workers.
///
/// The handle has no mailbox, like `caf::actor_pool`: a job is admitted and
/// handed to an idle worker in the sender's context, and the worker's
/// answer goes to the requester from the worker's context, freeing the
/// worker and handing it the next queued job on the way. Control messages
/// take effect in the sender's context too, in the order the sender sent
/// them. Deadlines, worker replacement and the final stop run on an actor
/// beside the handle; the handle terminates with it.
/// @returns the pool, or `errc::invalid_argument` for zero workers, zero
///          capacity, a negative timeout or a missing worker behaviour.
/// @pre the runtime has the timers module (`timers_module()`).
caf::expected<caf::actor> spawn_worker_pool(runtime& rt,
                                            worker_pool_options options);

/// Checks `options` as `spawn_worker_pool` does.
caf::error validate(const worker_pool_options& options);

} // namespace horae

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::worker_pool_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::tagged_job)
