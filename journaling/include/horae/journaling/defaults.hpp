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

namespace horae::defaults::postgres {

/// Most write requests committed in one transaction.
constexpr size_t max_batch = 1024;

/// How long opening a connection may take before it counts as failed.
constexpr std::chrono::milliseconds connect_timeout{5000};

/// How long one statement may run on the server; the client gives up a
/// little later if the server does not answer at all.
constexpr std::chrono::milliseconds statement_timeout{30000};

/// How long `open_postgres_store` keeps retrying a server that does not
/// accept connections yet (e.g. one starting together with the program).
constexpr std::chrono::milliseconds startup_wait{10000};

/// First pause before reconnecting after a lost connection; each failed
/// attempt doubles it up to `max_reconnect_delay`.
constexpr std::chrono::milliseconds reconnect_delay{100};

/// Longest pause between two reconnection attempts.
constexpr std::chrono::milliseconds max_reconnect_delay{5000};

} // namespace horae::defaults::postgres
