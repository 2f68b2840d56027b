// Which partition an actor belongs to: the unit of ownership in a cluster.
#pragma once

#include <cstdint>
#include <string_view>

namespace horae {

/// Partitions a PostgreSQL store is created with; fixed for its lifetime.
constexpr uint32_t default_partitions = 256;

/// Most partitions a store may have.
constexpr uint32_t max_partitions = 65536;

/// @returns the partition of actor `type`/`key` among `partitions` (> 0):
///          FNV-1a (64 bit) over the type, a zero byte and the key, modulo
///          `partitions`. Every node and every store computes the same
///          value, so it must never change.
constexpr uint32_t partition_of(std::string_view type, std::string_view key,
                                uint32_t partitions) noexcept {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 1099511628211ull;
  };
  for (auto c : type)
    mix(static_cast<unsigned char>(c));
  mix(0);
  for (auto c : key)
    mix(static_cast<unsigned char>(c));
  return static_cast<uint32_t>(hash % partitions);
}

} // namespace horae
