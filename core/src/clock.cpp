// Real and manual clocks.
#include <horae/core/clock.hpp>
#include <horae/core/manual_clock.hpp>

#include <time.h>

namespace horae {

clock::~clock() = default;

// -- system_clock -------------------------------------------------------------

clock::time_point system_clock::now() const noexcept {
  // The clock behind std::chrono::steady_clock on Linux, read directly: one
  // call into the vDSO instead of two library calls in front of it.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return time_point{duration{int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec}};
}

clock::wall_time system_clock::wall_now() const noexcept {
  return std::chrono::time_point_cast<duration>(
    std::chrono::system_clock::now());
}

bool system_clock::is_manual() const noexcept {
  return false;
}

// -- manual_clock -------------------------------------------------------------

namespace {

// 2026-01-01T00:00:00Z in nanoseconds since the Unix epoch.
constexpr int64_t wall_origin_ns = 1767225600LL * 1'000'000'000LL;

// A non-zero monotonic origin catches code that treats zero as "unset".
constexpr int64_t mono_origin_ns = 1'000'000'000'000LL;

} // namespace

manual_clock::manual_clock() noexcept
  : mono_ns_(mono_origin_ns), wall_offset_ns_(wall_origin_ns - mono_origin_ns) {
  // nop
}

clock::time_point manual_clock::now() const noexcept {
  return time_point{duration{mono_ns_.load()}};
}

clock::wall_time manual_clock::wall_now() const noexcept {
  return wall_time{duration{mono_ns_.load() + wall_offset_ns_.load()}};
}

bool manual_clock::is_manual() const noexcept {
  return true;
}

void manual_clock::advance(duration d) noexcept {
  if (d > duration::zero())
    mono_ns_.fetch_add(d.count());
}

void manual_clock::set_wall(wall_time t) noexcept {
  wall_offset_ns_.store(t.time_since_epoch().count() - mono_ns_.load());
}

} // namespace horae
