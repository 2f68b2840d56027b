// Which live node should hold a partition: rendezvous (highest random
// weight) hashing, so that a node joining or leaving moves only the
// partitions it gains or had, about 1/n of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace horae::detail {

/// @returns the weight of `node` for `partition` (FNV-1a over both).
inline uint64_t rendezvous_weight(const std::string& node,
                                  uint32_t partition) noexcept {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ull;
  };
  for (auto c : node)
    mix(static_cast<unsigned char>(c));
  for (int shift = 0; shift < 32; shift += 8)
    mix(static_cast<unsigned char>((partition >> shift) & 0xff));
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
