// FNV-1a: cheap, stable across platforms and releases, and good enough to
// spread keys evenly over a few hundred partitions.
#include <horae/cluster/partition.hpp>

namespace horae::cluster {

namespace {

constexpr uint64_t fnv_offset_basis = 14695981039346656037ULL;

constexpr uint64_t fnv_prime = 1099511628211ULL;

uint64_t fnv1a(uint64_t hash, std::string_view bytes) noexcept {
  for (auto c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= fnv_prime;
  }
  return hash;
}

} // namespace

uint32_t partition_of(std::string_view type, std::string_view key,
                      uint32_t partitions) noexcept {
  auto hash = fnv1a(fnv_offset_basis, type);
  hash *= fnv_prime; // the separator: XOR with a zero byte changes nothing
  hash = fnv1a(hash, key);
  return static_cast<uint32_t>(hash % partitions);
}

} // namespace horae::cluster
