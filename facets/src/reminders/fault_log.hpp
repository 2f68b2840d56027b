// Logging of a fault that persists, such as a full disk: once when it
// starts, a summary now and then while it lasts, once when it clears; never
// a line per failed retry.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>

namespace horae::detail {

class fault_log {
public:
  /// @param what names the failing activity, e.g. "reminder store".
  /// @param summary_every least time between two summaries.
  fault_log(std::string what, clock::duration summary_every);

  /// Notes a failure at `now`.
  void failure(const caf::error& err, clock::time_point now);

  /// Notes a success at `now`; ends a fault.
  void success(clock::time_point now);

  /// @returns whether a fault is under way.
  bool active() const noexcept {
    return active_;
  }

private:
  std::string what_;
  clock::duration summary_every_;
  bool active_ = false;
  clock::time_point since_;
  clock::time_point last_summary_;
  uint64_t total_ = 0;
  uint64_t since_summary_ = 0;
};

} // namespace horae::detail
