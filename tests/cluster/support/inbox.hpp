// What the test's virtual actors received, across nodes and threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace horae::test {

/// Entries "<node>/<key>:<value>" in arrival order; waits are bounded.
class inbox {
public:
  void add(std::string entry) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      entries_.push_back(std::move(entry));
    }
    cv_.notify_all();
  }

  /// Waits until `n` entries arrived or `timeout` passed.
  /// @returns the entries received so far.
  std::vector<std::string> wait_for(size_t n, std::chrono::milliseconds timeout
                                              = std::chrono::seconds{5}) {
    std::unique_lock<std::mutex> guard{mtx_};
    cv_.wait_for(guard, timeout, [&] { return entries_.size() >= n; });
    return entries_;
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<std::string> entries_;
};

} // namespace horae::test
