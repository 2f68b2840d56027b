// The cluster's partition function is the store's: the lease table, the
// fenced writes and the transport must agree on every key's partition.
#include <horae/cluster/partition.hpp>
#include <horae/journaling/partition.hpp>

namespace horae::cluster {

uint32_t partition_of(std::string_view type, std::string_view key,
                      uint32_t partitions) noexcept {
  return horae::partition_of(type, key, partitions);
}

} // namespace horae::cluster
