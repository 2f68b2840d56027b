// Completion routing and draining of reminder writes.
#include "reminders/write_tracker.hpp"

namespace horae::detail {

void write_tracker::complete(std::function<void()> fn) {
  if (!manual_) {
    fn();
    // Only a draining shutdown waits; everyone else skips the lock. The
    // waiter re-checks the count under the lock, so taking it before the
    // notification cannot lose the wake-up.
    if (++finished_ >= drain_target_) {
      std::lock_guard<std::mutex> guard{mtx_};
      cv_.notify_all();
    }
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  completed_.push_back(std::move(fn));
  ++finished_;
  cv_.notify_all();
}

size_t write_tracker::poll() {
  if (!manual_)
    return 0;
  std::vector<std::function<void()>> ready;
  {
    std::unique_lock<std::mutex> guard{mtx_};
    // Writes take one fsync; the bound only guards against a wedged disk.
    cv_.wait_for(guard, std::chrono::seconds{30},
                 [this] { return finished_ == issued_; });
    ready.swap(completed_);
  }
  for (auto& fn : ready)
    fn();
  return ready.size();
}

uint64_t write_tracker::drain(std::chrono::nanoseconds bound) {
  // Only what was issued before the call: steady new writes cannot keep a
  // shutdown waiting.
  auto target = issued_.load();
  std::unique_lock<std::mutex> guard{mtx_};
  drain_target_ = target;
  cv_.wait_for(guard, bound, [&] { return finished_ >= target; });
  auto done = finished_.load();
  return done >= target ? 0 : target - done;
}

} // namespace horae::detail
