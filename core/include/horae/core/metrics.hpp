// In-process metrics: counters, gauges and histograms that the runtime's
// parts register and update, readable from code and, when
// `horae.metrics.port` is set, served in Prometheus' text format.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <horae/core/clock.hpp>

namespace horae {

/// A count that only grows. Thread-safe; updates are one relaxed atomic add.
class counter {
public:
  void add(uint64_t n = 1) noexcept {
    value_.fetch_add(n, std::memory_order_relaxed);
  }

  uint64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

private:
  std::atomic<uint64_t> value_{0};
};

/// A level that goes up and down (e.g. a queue depth summed over several
/// actors), kept in the registry so that reading it never touches its
/// writers. Thread-safe; updates are one relaxed atomic add.
class gauge {
public:
  /// Moves the level by `n`, which may be negative.
  void add(int64_t n) noexcept {
    value_.fetch_add(n, std::memory_order_relaxed);
  }

  int64_t value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

private:
  std::atomic<int64_t> value_{0};
};

/// Durations sorted into buckets (cumulative in the output, as Prometheus
/// expects). Thread-safe.
class histogram {
public:
  /// @param bounds upper bounds of the buckets, ascending.
  explicit histogram(std::vector<clock::duration> bounds);

  void observe(clock::duration d) noexcept;

  const std::vector<clock::duration>& bounds() const noexcept {
    return bounds_;
  }

  /// @returns how many observations fell at or below bound `i` (not
  ///          cumulative; the last entry counts those above every bound).
  uint64_t bucket(size_t i) const noexcept {
    return buckets_[i].load(std::memory_order_relaxed);
  }

  uint64_t count() const noexcept {
    return count_.load(std::memory_order_relaxed);
  }

  /// @returns the sum of all observations.
  clock::duration sum() const noexcept {
    return clock::duration{sum_ns_.load(std::memory_order_relaxed)};
  }

private:
  std::vector<clock::duration> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> sum_ns_{0};
};

/// The runtime's metrics, by name. Registering returns a reference that
/// stays valid for the runtime's lifetime; registering a name twice
/// returns the first registration (gauges: keeps the first reader).
class metrics {
public:
  /// One value as read from code: histograms appear as `<name>_count`,
  /// `<name>_sum` (seconds) and `<name>_bucket{le="..."}` (cumulative).
  struct sample {
    std::string name;
    double value;
  };

  /// @returns the counter `name` (Prometheus naming: `[a-zA-Z_:][\w:]*`,
  ///          counters ending in `_total`).
  /// @throws std::invalid_argument for a malformed name.
  counter& add_counter(const std::string& name, const std::string& help);

  /// Registers a counter kept elsewhere, whose value `read` returns when
  /// metrics are read (same rules as a gauge's reader).
  void add_counter_reader(const std::string& name, const std::string& help,
                          std::function<double()> read);

  /// @returns the gauge `name`, kept by the registry: its writers update it
  ///          and it stays valid for the runtime's lifetime, so it suits
  ///          levels of actors that come and go.
  /// @throws std::invalid_argument for a malformed name or a name that is
  ///         registered as another kind of metric.
  gauge& add_gauge(const std::string& name, const std::string& help);

  /// Registers a gauge whose value `read` returns when metrics are read.
  /// `read` runs on the reading thread; it must be thread-safe and must not
  /// outlive what it reads (remove it with `remove_gauge`).
  void add_gauge(const std::string& name, const std::string& help,
                 std::function<double()> read);

  /// Forgets the gauge `name`, e.g. when its owner stops.
  void remove_gauge(const std::string& name);

  /// Forgets every gauge and counter reader (they read services); the
  /// runtime does this before its services go.
  void remove_gauges();

  /// @returns the histogram `name` with buckets up to `bounds`.
  histogram& add_histogram(const std::string& name, const std::string& help,
                           std::vector<clock::duration> bounds);

  /// @returns every value now, in registration order.
  std::vector<sample> read() const;

  /// @returns `read()` as one value, or none if `name` is unknown.
  std::optional<double> value(const std::string& name) const;

  /// @returns every metric in Prometheus' text exposition format (0.0.4).
  std::string prometheus_text() const;

private:
  enum class kind { counter, gauge, histogram };

  struct entry {
    std::string name;
    std::string help;
    kind what;
    counter* c = nullptr;
    std::function<double()> read;
    histogram* h = nullptr;
    gauge* g = nullptr;
  };

  entry* find(const std::string& name);

  /// Registers a metric whose value `read` returns.
  void add_reader(const std::string& name, const std::string& help, kind what,
                  std::function<double()> read);

  /// `read` without taking the lock. Requires `mtx_`.
  std::vector<sample> read_locked() const;

  mutable std::mutex mtx_;
  std::vector<entry> entries_;
  std::deque<counter> counters_;
  std::deque<gauge> gauges_;
  std::deque<histogram> histograms_;
};

} // namespace horae
