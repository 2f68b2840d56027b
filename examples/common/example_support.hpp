// Helpers the timer examples share: start-up (config, --help, runtime),
// line-atomic printing from actor threads, and waiting for an actor to say
// that it is done.
#pragma once

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timers_module.hpp>

namespace horae::examples {

// -- output -------------------------------------------------------------------

/// Prints one line to stdout. Several actors print concurrently, so the line
/// is written and flushed under a lock to keep lines whole and in order.
inline void say(const std::string& line) {
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::cout << line << '\n' << std::flush;
}

/// Builds a line from stream-able parts: `say(line("a=", 1, " b=", 2))`.
template <class... Ts>
std::string line(Ts&&... xs) {
  std::ostringstream out;
  (out << ... << std::forward<Ts>(xs));
  return out.str();
}

/// @returns `t - t0` as whole milliseconds with a sign, e.g. "+2000ms".
/// Rounded rather than truncated, so that a tick due at 1999.9997 ms after
/// the start (start times differ by microseconds) reads as "+2000ms".
inline std::string offset(clock::time_point t0, clock::time_point t) {
  auto ms = std::chrono::duration<double, std::milli>(t - t0).count();
  auto rounded = static_cast<long long>(std::llround(ms));
  return (rounded < 0 ? "-" : "+") + std::to_string(std::llabs(rounded)) + "ms";
}

/// @returns how late `actual` is after `scheduled`, e.g. "0.42ms".
inline std::string lateness(clock::time_point scheduled,
                            clock::time_point actual) {
  char buf[32];
  auto ms = std::chrono::duration<double, std::milli>(actual - scheduled);
  std::snprintf(buf, sizeof(buf), "%.2fms", ms.count());
  return buf;
}

// -- start-up -----------------------------------------------------------------

/// Loads the config (with the timers module and the example's options) and
/// creates the runtime. Handles `--help` and prints errors.
class bootstrap {
public:
  explicit bootstrap(std::string program) : loader_(std::move(program)) {
    loader_.add_module(horae::timers_module());
  }

  /// Declares an option of the example.
  bootstrap& option(option_spec spec) {
    loader_.add_option(std::move(spec));
    return *this;
  }

  /// Loads `default_file` (may be empty or missing) and the command line's
  /// settings, then makes the runtime.
  /// @returns false if the program should exit with `exit_code()`: after
  ///          `--help` or `--version` (0), a config error (2) or a runtime
  ///          error (1).
  bool start(int argc, char** argv, const std::string& default_file = "") {
    if (loader_.answer_info_request(argc, argv, std::cout)) {
      exit_code_ = 0;
      return false;
    }
    auto cfg = loader_.load(argc, argv, default_file);
    if (!cfg) {
      std::cerr << describe(cfg.error()) << '\n';
      exit_code_ = 2;
      return false;
    }
    config_ = *cfg;
    auto rt = runtime::make(std::move(*cfg));
    if (!rt) {
      std::cerr << describe(rt.error()) << '\n';
      exit_code_ = 1;
      return false;
    }
    runtime_ = std::move(*rt);
    return true;
  }

  /// @pre `start` returned true.
  runtime& rt() {
    return *runtime_;
  }

  /// The validated config, for reading the example's own options.
  const horae::config& cfg() const {
    return config_;
  }

  int exit_code() const noexcept {
    return exit_code_;
  }

private:
  config_loader loader_;
  horae::config config_;
  std::unique_ptr<runtime> runtime_;
  int exit_code_ = 0;
};

// -- completion ---------------------------------------------------------------

/// A one-way "I am done" signal from an actor to `main`. Actors never block;
/// only `main` waits, and only with a bound, so that a bug ends in an error
/// message instead of a hanging example (or a hanging ctest).
class completion {
public:
  /// Marks the work as done; later calls do nothing.
  void notify() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      done_ = true;
    }
    cv_.notify_all();
  }

  /// Blocks until `notify` or until `limit` passed.
  /// @returns whether `notify` was called.
  bool wait_for(clock::duration limit) {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, limit, [this] { return done_; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool done_ = false;
};

/// Waits for `done` and reports a hang; @returns the exit code for `main`.
inline int await(completion& done, clock::duration limit) {
  if (done.wait_for(limit))
    return 0;
  std::cerr << "example did not finish within " << describe_duration(limit)
            << "; giving up\n";
  return 3;
}

} // namespace horae::examples
