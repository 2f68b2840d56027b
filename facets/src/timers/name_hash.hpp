// The hash of timer names in a TimerFacet's table: short names, hashed on
// every start, cancel and lookup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace horae::detail {

/// Hashes names of a few bytes to a few dozen in a handful of instructions.
///
/// `std::hash<std::string>` runs a general byte loop that costs about 60
/// instructions for a name like "heartbeat", a tenth of a whole timer
/// start. This hash reads a short name with at most two overlapping loads
/// and combines them with one wide multiplication, whose folded halves
/// depend on every input bit; a second multiplication spreads that over
/// all output bits, so that the low bits (the index position) and the top
/// bits (the index tag) are both well mixed. Longer names take 16 bytes
/// per round. It is not seeded: the table belongs to one actor, whose own
/// code picks the names.
struct name_hash {
  size_t operator()(std::string_view name) const noexcept {
    return static_cast<size_t>(of(name.data(), name.size()));
  }

  size_t operator()(const std::string& name) const noexcept {
    return static_cast<size_t>(of(name.data(), name.size()));
  }

  static uint64_t of(const char* p, size_t n) noexcept {
    uint64_t h = seed ^ (n * odd_a);
    while (n > 16) {
      h = fold(load64(p) ^ odd_a ^ h, load64(p + 8) ^ odd_b);
      p += 16;
      n -= 16;
    }
    uint64_t a = 0;
    uint64_t b = 0;
    if (n >= 8) {
      a = load64(p);
      b = load64(p + n - 8);
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      auto byte = [p](size_t i) {
        return static_cast<uint64_t>(static_cast<unsigned char>(p[i]));
      };
      a = (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1);
    }
    return fold(fold(a ^ odd_a ^ h, b ^ odd_b), odd_c ^ h);
  }

private:
  // Odd constants with well-spread bits (from the golden ratio and
  // friends); any such constants would do.
  static constexpr uint64_t seed = 0x243f6a8885a308d3ULL;
  static constexpr uint64_t odd_a = 0x9e3779b97f4a7c15ULL;
  static constexpr uint64_t odd_b = 0xc2b2ae3d27d4eb4fULL;
  static constexpr uint64_t odd_c = 0x165667b19e3779f9ULL;

  /// The 128-bit product of `x` and `y`, its halves xor-ed.
  static uint64_t fold(uint64_t x, uint64_t y) noexcept {
    auto product = static_cast<unsigned __int128>(x) * y;
    return static_cast<uint64_t>(product)
           ^ static_cast<uint64_t>(product >> 64);
  }

  static uint64_t load64(const char* p) noexcept {
    uint64_t x;
    std::memcpy(&x, p, sizeof(x));
    return x;
  }

  static uint64_t load32(const char* p) noexcept {
    uint32_t x;
    std::memcpy(&x, p, sizeof(x));
    return x;
  }
};

} // namespace horae::detail
