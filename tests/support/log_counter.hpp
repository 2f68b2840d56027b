// Test support: counts what a horae module logs, by level, and keeps the
// lines, while attached to that module's logger.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <horae/core/logging.hpp>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace horae::test {

class log_counter : public spdlog::sinks::base_sink<std::mutex> {
public:
  /// @returns how many lines were logged at `level` exactly.
  int at(spdlog::level::level_enum level) const {
    return counts_[static_cast<size_t>(level)].load();
  }

  /// @returns how many lines at `level` or above were logged.
  int at_least(spdlog::level::level_enum level) const {
    int n = 0;
    for (auto l = static_cast<size_t>(level); l < counts_.size(); ++l)
      n += counts_[l].load();
    return n;
  }

  /// @returns whether some line contains `text`.
  bool saw(const std::string& text) {
    std::lock_guard<std::mutex> guard{mutex_};
    for (const auto& line : lines_)
      if (line.find(text) != std::string::npos)
        return true;
    return false;
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    ++counts_[static_cast<size_t>(msg.level)];
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }

  void flush_() override {
    // nop
  }

private:
  std::array<std::atomic<int>, spdlog::level::n_levels> counts_{};
  std::vector<std::string> lines_;
};

/// Attaches a counter to `module`'s logger for its lifetime.
class counted_log {
public:
  explicit counted_log(std::string_view module)
    : logger_(logging::logger(module)),
      counter_(std::make_shared<log_counter>()) {
    logger_->sinks().push_back(counter_);
  }

  ~counted_log() {
    auto& sinks = logger_->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), counter_), sinks.end());
  }

  log_counter& operator*() const noexcept {
    return *counter_;
  }

  log_counter* operator->() const noexcept {
    return counter_.get();
  }

private:
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<log_counter> counter_;
};

} // namespace horae::test
