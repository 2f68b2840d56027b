// partition_of: stable, in range, and sensitive to the type/key boundary.
#include <horae/cluster/partition.hpp>

#include <gtest/gtest.h>

using horae::cluster::partition_of;

// The hash is FNV-1a 64 over type, a zero byte and key: fixed values keep
// every node (and every release) agreeing on the partition.
TEST(TransportPartition, MatchesFnv1aOverTypeZeroKey) {
  // FNV-1a 64 of the three bytes 'a', 0, 'b', written out independently.
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : {'a', '\0', 'b'}) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  EXPECT_EQ(partition_of("a", "b", 1000), hash % 1000);
}

// Moving a character across the boundary changes the input, thanks to the
// separator.
TEST(TransportPartition, SeparatorKeepsTypeAndKeyApart) {
  EXPECT_NE(partition_of("ab", "c", 1u << 31),
            partition_of("a", "bc", 1u << 31));
}

// Every result lies in [0, partitions).
TEST(TransportPartition, StaysInRange) {
  for (int i = 0; i < 1000; ++i)
    EXPECT_LT(partition_of("counter", std::to_string(i), 7), 7u);
  EXPECT_EQ(partition_of("counter", "x", 1), 0u);
}
