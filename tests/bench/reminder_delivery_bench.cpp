// Reminder delivery through the whole runtime, restarted on a store holding
// many reminders of which a backlog is overdue, in two phases on the same
// store:
//
// 1. the default configuration: time to the first due delivery, then the
//    drain for `--default-seconds` (bound by the default delivery rate
//    limit of 1,000/s, which protects a cold start);
// 2. the rate limit raised to `--rate` (default 1,000,000/s): the rest of
//    the backlog drains as fast as the runtime can deliver, within the
//    window's memory bound (`max-window`), whose peak is reported.
//
// Usage: reminder_delivery_bench [--stored=N] [--due=N] [--rate=N]
//                                [--default-seconds=S] [--spread=S]
//                                [--dir=PATH]
// Defaults: 1,000,000 stored (about 30 s to fill on a 2-core machine),
// 50,000 of them overdue. --spread=S makes the reminders fall due evenly
// over S seconds instead of being overdue, and skips phase 1: deliveries
// then come paced by their due times, the fair baseline for
// `cpu_us_per_delivery` of a throttled run.
// Deliveries are also counted by reminder name across both phases: phase
// 2 ends once every overdue reminder arrived at least once, repeats (fires
// handled just before a shutdown whose record had not landed) are reported,
// and `missing=` counts overdue reminders that never arrived (the exit
// status is non-zero then).
// Last lines: key=value results (see docs/performance.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include <sys/resource.h>
#include <unistd.h>

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// @returns CPU time of the whole process (all threads) so far.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec)
           + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

size_t rss_bytes() {
  std::ifstream in{"/proc/self/statm"};
  size_t total = 0;
  size_t resident = 0;
  in >> total >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

bool arg(const char* text, const char* name, std::string& out) {
  auto len = std::strlen(name);
  if (std::strncmp(text, name, len) != 0 || text[len] != '=')
    return false;
  out = text + len + 1;
  return true;
}

// Fills `path` with `stored` reminders, `due` of them overdue and the rest
// due in a day, spread over 1,000 actors.
// With `spread` > 0, the `due` reminders fall due evenly over `spread`
// seconds starting 2 s from now instead of being overdue: deliveries then
// arrive paced by their due times, not by the rate limit.
void fill(const std::string& path, size_t stored, size_t due, double spread) {
  horae::sqlite_store_options opts;
  opts.path = path;
  auto store = horae::open_sqlite_store(opts);
  if (!store) {
    std::fprintf(stderr, "%s\n", horae::describe(store.error()).c_str());
    std::exit(1);
  }
  auto now = horae::system_clock{}.wall_now();
  std::mutex mtx;
  std::condition_variable cv;
  size_t pending = 0;
  for (size_t i = 0; i < stored; ++i) {
    horae::reminder_record rec;
    rec.key
      = {"bench", "actor-" + std::to_string(i % 1000), "r" + std::to_string(i)};
    auto paced = now + 2s
                 + std::chrono::duration_cast<horae::clock::duration>(
                   std::chrono::duration<double>(
                     spread * static_cast<double>(i)
                     / static_cast<double>(std::max<size_t>(due, 1))));
    rec.anchor = rec.due = i >= due ? now + 24h : spread > 0 ? paced : now - 1h;
    rec.period = 1h;
    {
      std::unique_lock<std::mutex> guard{mtx};
      cv.wait(guard, [&] { return pending < 8192; });
      ++pending;
    }
    (*store)->upsert_async(std::move(rec), true,
                           [&](caf::expected<horae::reminder_record> r) {
                             if (!r)
                               std::fprintf(stderr, "fill: %s\n",
                                            horae::describe(r.error()).c_str());
                             std::lock_guard<std::mutex> guard{mtx};
                             --pending;
                             cv.notify_all();
                           });
  }
  std::unique_lock<std::mutex> guard{mtx};
  cv.wait(guard, [&] { return pending == 0; });
  guard.unlock();
  (*store)->close();
}

/// Every delivery of both phases by reminder name. Deliveries are at least
/// once: a fire handled just before a shutdown whose record had not landed
/// yet comes again after the restart. Counting names, not deliveries, makes
/// such a repeat visible instead of letting it stand in for a reminder that
/// never came. The overdue reminders are named "r0" .. "r<due - 1>" (see
/// `fill`), so the count of each sits at its number: recording costs one
/// atomic increment, not a lookup that would weigh on the drain it counts.
class delivery_ledger {
public:
  explicit delivery_ledger(size_t due)
    : counts_(std::make_unique<std::atomic<uint32_t>[]>(due)), due_(due) {
    for (size_t i = 0; i < due; ++i)
      counts_[i].store(0, std::memory_order_relaxed);
  }

  /// Records a delivery. @returns whether it was the reminder's first.
  bool record(const horae::reminder_fired& x) {
    // From the dispatcher's send to the behaviour: mailbox and activation.
    auto waited = horae::system_clock{}.wall_now() - x.actual;
    if (waited.count() > longest_wait_ns_.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> guard{longest_mtx_};
      if (waited.count() > longest_wait_ns_.load(std::memory_order_relaxed)) {
        longest_wait_ns_.store(waited.count(), std::memory_order_relaxed);
        longest_waiter_
          = x.name + " (attempt " + std::to_string(x.attempt) + ")";
      }
    }
    auto i = std::strtoull(x.name.c_str() + 1, nullptr, 10);
    if (x.name.empty() || x.name[0] != 'r' || i >= due_) {
      ++unexpected_; // not one of the overdue reminders
      return false;
    }
    if (counts_[i].fetch_add(1, std::memory_order_relaxed) != 0)
      return false;
    ++distinct_;
    return true;
  }

  /// @returns how many overdue reminders were delivered at least once.
  size_t distinct() const {
    return distinct_.load();
  }

  /// @returns deliveries of reminders that were not overdue.
  size_t unexpected() const {
    return unexpected_.load();
  }

  /// @returns the longest time a fire took from its send to its behaviour,
  ///          and which fire it was.
  std::pair<horae::clock::duration, std::string> longest_wait() const {
    std::lock_guard<std::mutex> guard{longest_mtx_};
    return {horae::clock::duration{longest_wait_ns_.load()}, longest_waiter_};
  }

  /// @returns how many reminders were delivered more than once, and how
  ///          many deliveries beyond the first they got.
  std::pair<size_t, size_t> repeats() const {
    std::pair<size_t, size_t> result{0, 0};
    for (size_t i = 0; i < due_; ++i)
      if (auto n = counts_[i].load(); n > 1) {
        ++result.first;
        result.second += n - 1;
      }
    return result;
  }

  /// @returns up to `limit` names of overdue reminders never delivered,
  ///          and how many there are.
  std::pair<std::vector<std::string>, size_t> missing(size_t limit) const {
    std::pair<std::vector<std::string>, size_t> result;
    for (size_t i = 0; i < due_; ++i) {
      if (counts_[i].load() != 0)
        continue;
      if (result.first.size() < limit)
        result.first.push_back("r" + std::to_string(i));
      ++result.second;
    }
    return result;
  }

private:
  std::unique_ptr<std::atomic<uint32_t>[]> counts_;
  size_t due_;
  std::atomic<size_t> distinct_{0};
  std::atomic<size_t> unexpected_{0};
  mutable std::mutex longest_mtx_;
  std::atomic<int64_t> longest_wait_ns_{0};
  std::string longest_waiter_;
};

/// What one restart of the runtime on the store measured.
struct phase_result {
  double first_ms = -1;
  /// Deliveries, repeats included: the work the runtime did.
  size_t delivered = 0;
  /// Reminders delivered for the first time in this phase.
  size_t first_deliveries = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  double peak_rss_growth_mib = 0;
  size_t window_peak = 0;

  double per_second() const {
    return seconds > 0 ? static_cast<double>(delivered) / seconds : 0;
  }
};

/// Starts a runtime on `path` (rate limit `rate`, or the default if 0),
/// counts deliveries until `ledger` holds `wanted` distinct reminders or
/// `max_seconds` passed, and shuts it down. The ledger decides, not this
/// phase's count: a fire handled while the previous phase shut down counts
/// for that phase and would otherwise leave this one waiting for it.
phase_result run_phase(const std::string& path, int64_t rate, size_t wanted,
                       double max_seconds, delivery_ledger& ledger) {
  phase_result result;
  auto rss_before = rss_bytes();
  auto cpu_before = cpu_seconds();
  auto start = steady::now();
  std::atomic<size_t> delivered{0};
  std::atomic<size_t> first_deliveries{0};
  std::atomic<int64_t> first_ns{-1};
  horae::config cfg;
  cfg.add_module(horae::timers_module());
  cfg.add_module(horae::reminders_module());
  cfg.set("horae.reminders.db", caf::config_value{path});
  if (rate > 0)
    cfg.set("horae.reminders.max-delivery-rate", caf::config_value{rate});
  cfg.set("horae.log.level", caf::config_value{std::string{"warn"}});
  // The type is defined before delivery starts, as applications do.
  auto define = [&](horae::runtime& r) {
    return r.define("bench", [&](horae::actor* self) -> caf::behavior {
      self->attach<horae::reminder_facet>();
      return {[&](const horae::reminder_fired& x) {
        int64_t expected = -1;
        first_ns.compare_exchange_strong(expected,
                                         (steady::now() - start).count());
        if (ledger.record(x))
          ++first_deliveries;
        ++delivered;
      }};
    });
  };
  auto rt = horae::runtime::make(std::move(cfg), define);
  if (!rt) {
    std::fprintf(stderr, "%s\n", horae::describe(rt.error()).c_str());
    std::exit(1);
  }
  // The window bound shows as a flat peak, sampled while the backlog drains.
  auto deadline = start
                  + std::chrono::duration_cast<steady::duration>(
                    std::chrono::duration<double>(max_seconds));
  size_t rss_peak = rss_bytes();
  for (int tick = 0; ledger.distinct() < wanted && steady::now() < deadline;
       ++tick) {
    std::this_thread::sleep_for(1ms);
    if (tick % 50 == 0)
      rss_peak = std::max(rss_peak, rss_bytes());
  }
  result.seconds = std::chrono::duration<double>(steady::now() - start).count();
  result.delivered = delivered.load();
  result.first_deliveries = first_deliveries.load();
  result.first_ms = static_cast<double>(first_ns.load()) / 1e6;
  result.cpu_seconds = cpu_seconds() - cpu_before;
  result.peak_rss_growth_mib
    = static_cast<double>(std::max(rss_peak, rss_bytes()) - rss_before)
      / (1024.0 * 1024.0);
  auto* svc = (*rt)->find_service<horae::reminder_service>();
  result.window_peak = svc != nullptr ? svc->window_peak() : 0;
  (*rt)->shutdown();
  return result;
}

} // namespace

int main(int argc, char** argv) {
  size_t stored = 1'000'000;
  size_t due = 50'000;
  int64_t rate = 1'000'000;
  double default_seconds = 5;
  double spread = 0;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string value;
    if (arg(argv[i], "--stored", value))
      stored = std::stoull(value);
    else if (arg(argv[i], "--due", value))
      due = std::stoull(value);
    else if (arg(argv[i], "--spread", value))
      spread = std::stod(value);
    else if (arg(argv[i], "--rate", value))
      rate = std::stoll(value);
    else if (arg(argv[i], "--default-seconds", value))
      default_seconds = std::stod(value);
    else if (arg(argv[i], "--dir", value))
      dir = value;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (rate < 1 || default_seconds < 0 || spread < 0) {
    std::fprintf(stderr, "--rate must be positive, --default-seconds and "
                         "--spread not negative\n");
    return 2;
  }
  due = std::min(due, stored);
  if (dir.empty()) {
    std::string pattern
      = (std::filesystem::temp_directory_path() / "horae-delivery-XXXXXX")
          .string();
    if (mkdtemp(pattern.data()) == nullptr)
      return 1;
    dir = pattern;
  }
  auto path = dir + "/delivery.db";
  std::filesystem::remove(path);
  auto fill_start = steady::now();
  fill(path, stored, due, spread);
  std::printf(
    "filled %zu reminders (%zu overdue) in %.1f s\n", stored, due,
    std::chrono::duration<double>(steady::now() - fill_start).count());
  phase_result at_default;
  delivery_ledger ledger{due};
  if (spread == 0 && default_seconds > 0) {
    at_default = run_phase(path, 0, due, default_seconds, ledger);
    std::printf("default configuration: first due reminder after %.1f ms, "
                "%zu delivered in %.2f s (%.0f/s)\n",
                at_default.first_ms, at_default.delivered, at_default.seconds,
                at_default.per_second());
  }
  auto raised = run_phase(path, rate, due, 120 + spread, ledger);
  std::printf("rate limit %lld/s: %zu delivered (%zu for the first time) in "
              "%.2f s (%.0f/s), window peak %zu, RSS growth %.1f MiB\n",
              static_cast<long long>(rate), raised.delivered,
              raised.first_deliveries, raised.seconds, raised.per_second(),
              raised.window_peak, raised.peak_rss_growth_mib);
  std::filesystem::remove_all(dir);
  auto [repeated, repeats] = ledger.repeats();
  std::printf("%zu reminders delivered more than once (%zu repeats: fires "
              "handled before a shutdown whose record had not landed)\n",
              repeated, repeats);
  auto [longest, waiter] = ledger.longest_wait();
  std::printf("longest from send to behaviour: %.1f ms, %s\n",
              std::chrono::duration<double, std::milli>(longest).count(),
              waiter.c_str());
  if (ledger.unexpected() > 0)
    std::printf("%zu deliveries of reminders that were not due\n",
                ledger.unexpected());
  auto [missing, missing_count] = ledger.missing(10);
  if (missing_count > 0) {
    std::printf("%zu overdue reminders never delivered:", missing_count);
    for (auto& name : missing)
      std::printf(" %s", name.c_str());
    std::printf("\n");
  }
  if (spread == 0 && default_seconds > 0) {
    std::printf("first_delivery_ms=%.1f\n", at_default.first_ms);
    std::printf("drain_default_rate_per_s=%.0f\n", at_default.per_second());
  } else {
    std::printf("first_delivery_ms=%.1f\n", raised.first_ms);
  }
  std::printf("drain_raised_rate_per_s=%.0f\n", raised.per_second());
  std::printf("window_peak=%zu\n", raised.window_peak);
  std::printf("peak_rss_growth_mib=%.1f\n", raised.peak_rss_growth_mib);
  std::printf("cpu_us_per_delivery=%.1f\n",
              raised.cpu_seconds * 1e6
                / static_cast<double>(std::max<size_t>(raised.delivered, 1)));
  std::printf("missing=%zu\n", missing_count);
  return missing_count == 0 && ledger.unexpected() == 0 ? 0 : 1;
}
