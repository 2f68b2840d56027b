// What the benchmarks share: a monotonic nanosecond clock, resident memory,
// medians and percentiles, numeric options, the machine line, and
// `key=value` result lines.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace horae::bench {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch())
    .count();
}

/// Resident set size in bytes, from /proc/self/statm.
inline int64_t rss_bytes() {
  std::ifstream in{"/proc/self/statm"};
  int64_t size = 0;
  int64_t resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

/// @returns the value at quantile `q` of `xs` (sorted in place); 0 if empty.
template <class T>
double quantile(std::vector<T>& xs, double q) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto i = static_cast<size_t>(q * static_cast<double>(xs.size() - 1));
  return static_cast<double>(xs[i]);
}

template <class T>
double median(std::vector<T> xs) {
  return quantile(xs, 0.5);
}

/// Reads `text` as the option `--name=<integer>` into `out`. @returns false
/// if `text` is another option or its value is not a whole integer.
inline bool long_option(const char* text, const char* name, long& out) {
  auto len = std::strlen(name);
  if (std::strncmp(text, name, len) != 0 || text[len] != '=')
    return false;
  char* end = nullptr;
  out = std::strtol(text + len + 1, &end, 10);
  return end != text + len + 1 && *end == '\0';
}

/// Prints the core count, the CPU model and the load average, so that every
/// figure carries the state of the machine it was taken on.
inline void print_machine() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line;
  std::string model = "unknown";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  std::ifstream loadavg{"/proc/loadavg"};
  double load = 0;
  loadavg >> load;
  std::printf("machine: %u cores, %s, load average %.2f\n",
              std::thread::hardware_concurrency(), model.c_str(), load);
}

/// Prints a result line of the form `key=value`, the benchmarks' output
/// format that scripts read.
inline void print_key(const char* key, double value) {
  std::printf("%s=%.3f\n", key, value);
}

} // namespace horae::bench
