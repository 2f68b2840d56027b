// The hash of TimerFacet names: equal names agree, any one changed byte
// changes it, and neither the index position (low bits) nor the index tag
// (bits 25-31) clusters for names that differ only in a counter.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "timers/name_hash.hpp"
#include <gtest/gtest.h>

using horae::detail::name_hash;

TEST(NameHash, EqualNamesHashEqual) {
  std::string name = "heartbeat";
  EXPECT_EQ(name_hash{}(name), name_hash{}(std::string_view{"heartbeat"}));
  EXPECT_EQ(name_hash{}(std::string{}), name_hash{}(std::string_view{}));
}

TEST(NameHash, EveryChangedByteChangesTheHash) {
  for (size_t len = 0; len <= 40; ++len) {
    std::string base(len, 'a');
    for (size_t i = 0; i < len; ++i)
      base[i] = static_cast<char>('a' + (i * 7) % 26);
    std::set<size_t> seen{name_hash{}(base)};
    for (size_t i = 0; i < len; ++i) {
      for (int delta : {1, 2, 64, 128}) {
        auto changed = base;
        changed[i] = static_cast<char>(changed[i] ^ delta);
        EXPECT_TRUE(seen.insert(name_hash{}(changed)).second)
          << "length " << len << ", byte " << i << ", xor " << delta;
      }
    }
    // The length counts too: a shorter prefix is another name.
    if (len > 0) {
      EXPECT_NE(name_hash{}(base), name_hash{}(base.substr(0, len - 1)));
    }
  }
}

TEST(NameHash, CounterNamesSpreadOverPositionsAndTags) {
  constexpr size_t names = 100'000;
  constexpr size_t positions = 1 << 14;
  std::vector<size_t> per_position(positions);
  std::vector<size_t> per_tag(128);
  for (size_t i = 0; i < names; ++i) {
    auto h = static_cast<uint32_t>(name_hash{}("t" + std::to_string(i)));
    ++per_position[h & (positions - 1)];
    ++per_tag[h >> 25];
  }
  // Uniform: about 6.1 names per position, with a maximum near 18; a
  // clustering hash puts hundreds on some.
  EXPECT_LE(*std::max_element(per_position.begin(), per_position.end()), 30u);
  // About 781 names per tag value; the spread of a fair draw is about 28.
  auto [lo, hi] = std::minmax_element(per_tag.begin(), per_tag.end());
  EXPECT_GE(*lo, 650u);
  EXPECT_LE(*hi, 910u);
}
