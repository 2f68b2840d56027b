// Which slots of one wheel level hold timers; finds the next occupied slot
// in O(1) so the timer thread never scans empty slots.
#pragma once

#include <cstdint>
#include <vector>

namespace horae::detail {

/// A bitmap of up to 4096 bits with a one-word summary ("which words are
/// non-zero"), so finding the next set bit costs at most four
/// count-trailing-zeros instructions regardless of the number of slots.
class occupancy_bitmap {
public:
  // -- constructors, destructors, and assignment operators --------------------

  /// @pre `bits` is a multiple of 64 or smaller than 64, and <= 4096.
  explicit occupancy_bitmap(uint32_t bits)
    : bits_(bits), words_((bits + 63) / 64, 0) {
    // nop
  }

  // -- modifiers --------------------------------------------------------------

  void set(uint32_t i) noexcept {
    words_[i / 64] |= uint64_t{1} << (i % 64);
    summary_ |= uint64_t{1} << (i / 64);
  }

  void clear(uint32_t i) noexcept {
    auto& w = words_[i / 64];
    w &= ~(uint64_t{1} << (i % 64));
    if (w == 0)
      summary_ &= ~(uint64_t{1} << (i / 64));
  }

  // -- observers --------------------------------------------------------------

  bool any() const noexcept {
    return summary_ != 0;
  }

  /// @returns the first set bit at or after `i`, or `size()` if none.
  uint32_t find_from(uint32_t i) const noexcept {
    if (i >= bits_)
      return bits_;
    auto w = i / 64;
    auto masked = words_[w] & (~uint64_t{0} << (i % 64));
    if (masked != 0)
      return w * 64 + ctz(masked);
    if (w + 1 >= 64)
      return bits_;
    auto rest = summary_ & (~uint64_t{0} << (w + 1));
    if (rest == 0)
      return bits_;
    auto w2 = ctz(rest);
    return w2 * 64 + ctz(words_[w2]);
  }

  /// @returns the circular distance in [1, size()] from `pos` to the next
  ///          set bit strictly after it (a set bit at `pos` itself counts as
  ///          a full turn), or 0 if no bit is set.
  uint32_t distance_after(uint32_t pos) const noexcept {
    if (!any())
      return 0;
    auto hit = find_from(pos + 1);
    if (hit < bits_)
      return hit - pos;
    hit = find_from(0); // wraps around; hit <= pos
    return bits_ - pos + hit;
  }

  uint32_t size() const noexcept {
    return bits_;
  }

private:
  static uint32_t ctz(uint64_t x) noexcept {
    return static_cast<uint32_t>(__builtin_ctzll(x));
  }

  uint32_t bits_;
  uint64_t summary_ = 0;
  std::vector<uint64_t> words_;
};

} // namespace horae::detail
