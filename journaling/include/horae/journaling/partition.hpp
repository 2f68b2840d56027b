// Which partition an actor belongs to: the unit of ownership in a cluster.
#pragma once

#include <cstdint>
#include <string_view>

namespace horae {

/// Partitions a PostgreSQL store is created with; fixed for its lifetime.
constexpr uint32_t default_partitions = 256;

/// Most partitions a store may have.
constexpr uint32_t max_partitions = 65536;

namespace detail {

/// FNV-1a (64 bit): the starting value.
constexpr uint64_t fnv1a_basis = 14695981039346656037ull;

/// @returns `hash` with `bytes` mixed in, one byte at a time.
constexpr uint64_t fnv1a(uint64_t hash, std::string_view bytes) noexcept {
  for (auto c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

} // namespace detail

/// @returns the partition of actor `type`/`key` among `partitions` (> 0):
///          FNV-1a (64 bit) over the type, a zero byte and the key, modulo
///          `partitions`. Every node and every store computes the same
///          value, so it must never change.
constexpr uint32_t partition_of(std::string_view type, std::string_view key,
                                uint32_t partitions) noexcept {
  auto hash = detail::fnv1a(detail::fnv1a_basis, type);
  hash = detail::fnv1a(hash, std::string_view{"\0", 1});
  hash = detail::fnv1a(hash, key);
  return static_cast<uint32_t>(hash % partitions);
}

} // namespace horae
