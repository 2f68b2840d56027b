// Defaults of the journaling layer, in one place: the store options and the
// modules that configure stores read them from here.
#pragma once

#include <chrono>
#include <cstddef>

namespace horae::defaults::sqlite {

/// How long a write waits for another connection's lock.
constexpr std::chrono::milliseconds busy_timeout{5000};

/// Most write requests committed in one transaction.
constexpr size_t max_batch = 1024;

} // namespace horae::defaults::sqlite
