// The write path every reminder store shares: a queue of write requests and
// one writer thread that hands everything queued since its last commit to
// the store as batches, then runs the completions.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>

#include "batching/write_request.hpp"

namespace horae::detail {

/// Group commit without a timer: the writer takes every request queued
/// while the previous commit was in flight, so batches grow under load on
/// their own and a lone request on an idle store is committed at once.
/// The store supplies how one batch is committed; this class owns the
/// queue, the thread, the order of completions and the shutdown.
class group_commit_queue {
public:
  /// Commits requests `[first, first + n)` in one transaction and sets each
  /// request's outcome (`err`, `applied`, the stored record).
  using batch_runner = std::function<void(write_request* first, size_t n)>;

  /// Told after each batch: its size and how long it took to commit.
  using commit_observer = std::function<void(size_t, clock::duration)>;

  /// The error of a request submitted after `stop`.
  using closed_error = std::function<caf::error()>;

  group_commit_queue(size_t max_batch, batch_runner run,
                     commit_observer on_commit, closed_error closed);

  group_commit_queue(const group_commit_queue&) = delete;

  group_commit_queue& operator=(const group_commit_queue&) = delete;

  ~group_commit_queue();

  /// Starts the writer thread.
  void start();

  /// Queues `req`; after `stop`, completes it at once with the closed error.
  void submit(write_request req);

  /// Stops accepting requests, lets the writer commit what is queued and
  /// joins it. Called from a completion (on the writer thread), it only
  /// stops accepting: the writer drains and ends, and a later `stop` from
  /// another thread joins it.
  /// @returns whether the writer has ended.
  bool stop();

private:
  void run();

  size_t max_batch_;
  batch_runner run_batch_;
  commit_observer on_commit_;
  closed_error closed_;

  /// Guards the queue and `stopping_`.
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<write_request> queue_;
  bool stopping_ = false;

  std::thread writer_;

  /// Set once in `start`, so that `stop` can tell whether it runs on the
  /// writer thread without touching `writer_` while another thread joins.
  std::thread::id writer_id_;

  /// Serializes joining `stop` calls, so every caller returns after the
  /// drain.
  std::mutex stop_mtx_;
};

} // namespace horae::detail
