// Which of a cluster's fixed partitions an (actor type, actor key) belongs
// to. Every node computes the same answer, so no node needs to ask another.
#pragma once

#include <cstdint>
#include <string_view>

namespace horae::cluster {

/// Maps (type, key) to one of `partitions` partitions: FNV-1a (64 bit) over
/// the bytes of `type`, one zero byte and the bytes of `key`, modulo
/// `partitions`. The zero byte keeps ("ab", "c") and ("a", "bc") apart.
/// @pre `partitions > 0`
/// @returns a partition in `[0, partitions)`.
uint32_t partition_of(std::string_view type, std::string_view key,
                      uint32_t partitions) noexcept;

} // namespace horae::cluster
