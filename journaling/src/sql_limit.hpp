// LIMIT and OFFSET values for SQL, which both stores take as signed 64-bit.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace horae::detail {

/// Clamps a count to a signed SQL LIMIT or OFFSET ("all" stays "all").
inline int64_t to_sql_limit(size_t n) {
  constexpr auto max = static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(std::min(n, max));
}

} // namespace horae::detail
