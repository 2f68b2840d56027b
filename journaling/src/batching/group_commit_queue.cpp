// The writer thread of a reminder store and its queue.
#include "batching/group_commit_queue.hpp"

#include <algorithm>
#include <chrono>

namespace horae::detail {

group_commit_queue::group_commit_queue(size_t max_batch, batch_runner run,
                                       commit_observer on_commit,
                                       closed_error closed)
  : max_batch_(max_batch), run_batch_(std::move(run)),
    on_commit_(std::move(on_commit)), closed_(std::move(closed)) {
  // nop
}

group_commit_queue::~group_commit_queue() {
  stop();
}

void group_commit_queue::start() {
  writer_ = std::thread{[this] { run(); }};
  writer_id_ = writer_.get_id();
}

void group_commit_queue::submit(write_request req) {
  std::unique_lock<std::mutex> guard{mtx_};
  if (stopping_) {
    guard.unlock();
    // No writer is left to run it; completing here is the only way to keep
    // the "called exactly once" promise.
    req.err = closed_();
    req.complete();
    return;
  }
  queue_.push_back(std::move(req));
  // The writer only sleeps on an empty queue, so only the first request
  // after a drain needs to wake it.
  auto wake = queue_.size() == 1;
  guard.unlock();
  if (wake)
    cv_.notify_one();
}

bool group_commit_queue::stop() {
  if (std::this_thread::get_id() == writer_id_) {
    // Joining ourselves would deadlock: the loop drains the queue and ends.
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
    return false;
  }
  std::lock_guard<std::mutex> stop_guard{stop_mtx_};
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  cv_.notify_one();
  if (writer_.joinable())
    writer_.join();
  return true;
}

void group_commit_queue::run() {
  std::vector<write_request> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> guard{mtx_};
      cv_.wait(guard, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty())
        return; // stopping, and everything before the stop is done
      batch.swap(queue_);
    }
    for (size_t pos = 0; pos < batch.size(); pos += max_batch_) {
      auto n = std::min(max_batch_, batch.size() - pos);
      auto started = std::chrono::steady_clock::now();
      run_batch_(batch.data() + pos, n);
      if (on_commit_)
        on_commit_(n, std::chrono::duration_cast<clock::duration>(
                        std::chrono::steady_clock::now() - started));
      // Completions only after the commit returned: an acknowledged write
      // is durable.
      for (size_t i = pos; i < pos + n; ++i)
        batch[i].complete();
    }
    batch.clear();
  }
}

} // namespace horae::detail
