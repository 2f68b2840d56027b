// One pattern actor's part of a gauge that sums a level (e.g. a queue
// depth) over every actor of its kind in a runtime.
#pragma once

#include <cstdint>

#include <horae/core/metrics.hpp>

namespace horae::detail {

/// Moves the shared gauge by the changes of one actor's level and takes the
/// whole part back when destroyed, so an actor that ends leaves nothing
/// behind. The gauge belongs to the registry: reading it never touches the
/// actor, whether or not the actor still exists.
class gauge_share {
public:
  // -- constructors, destructors ----------------------------------------------

  explicit gauge_share(gauge& total) noexcept : total_(&total) {
    // nop
  }

  gauge_share(const gauge_share&) = delete;

  gauge_share& operator=(const gauge_share&) = delete;

  ~gauge_share() {
    total_->add(-level_);
  }

  // -- modifiers --------------------------------------------------------------

  /// Sets this actor's level to `level`.
  void set(uint64_t level) noexcept {
    auto now = static_cast<int64_t>(level);
    if (now != level_)
      total_->add(now - level_);
    level_ = now;
  }

  /// Moves this actor's level by `n`, which may be negative.
  void add(int64_t n) noexcept {
    total_->add(n);
    level_ += n;
  }

private:
  gauge* total_;
  int64_t level_ = 0;
};

} // namespace horae::detail
