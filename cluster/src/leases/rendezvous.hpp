// Which live node should hold a partition: rendezvous (highest random
// weight) hashing, so that a node joining or leaving moves only the
// partitions it gains or had, about 1/n of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <horae/journaling/partition.hpp>

namespace horae::detail {

/// @returns the weight of `node` for `partition` (FNV-1a over both).
inline uint64_t rendezvous_weight(const std::string& node,
                                  uint32_t partition) noexcept {
  char bytes[4];
  for (int i = 0; i < 4; ++i)
    bytes[i] = static_cast<char>((partition >> (8 * i)) & 0xff);
  auto hash = fnv1a(fnv1a(fnv1a_basis, node), std::string_view{bytes, 4});
  // A final mix spreads the low bits, which decide close contests.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  return hash;
}

/// @returns the node of `nodes` (not empty) that should hold `partition`.
inline const std::string& preferred_owner(const std::vector<std::string>& nodes,
                                          uint32_t partition) {
  const std::string* best = &nodes.front();
  auto best_weight = rendezvous_weight(*best, partition);
  for (const auto& node : nodes) {
    auto weight = rendezvous_weight(node, partition);
    if (weight > best_weight || (weight == best_weight && node < *best)) {
      best = &node;
      best_weight = weight;
    }
  }
  return *best;
}

} // namespace horae::detail
