// Defaults and bounds of every facet setting, in one place (as CAF's
// defaults.hpp): the service configs take their initial values from here,
// and the modules declare their options' defaults and ranges from here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <horae/core/clock.hpp>
#include <horae/journaling/defaults.hpp>

namespace horae::defaults {

namespace timers {

/// Tick length of the timing wheel, and its bounds.
constexpr clock::duration resolution = std::chrono::milliseconds{1};
constexpr clock::duration min_resolution = std::chrono::microseconds{1};
constexpr clock::duration max_resolution = std::chrono::seconds{1};

/// Slots per wheel level (a power of two), and its bounds.
constexpr uint32_t slots_per_level = 256;
constexpr uint32_t min_slots_per_level = 16;
constexpr uint32_t max_slots_per_level = 4096;

/// Wheel levels, and their bounds.
constexpr uint32_t levels = 4;
constexpr uint32_t min_levels = 1;
constexpr uint32_t max_levels = 8;

/// Most timers one actor may have at once (facet setting `max-timers`).
constexpr size_t max_timers = 10'000;
constexpr size_t max_max_timers = 1'000'000;

} // namespace timers

namespace reminders {

/// SQLite database file of the embedded store.
constexpr std::string_view db = "horae-reminders.db";

/// Only reminders due within this window are held in memory.
constexpr clock::duration lookahead = std::chrono::minutes{1};
constexpr clock::duration min_lookahead = std::chrono::seconds{1};
constexpr clock::duration max_lookahead = std::chrono::hours{24};

/// Most rows read per window refill.
constexpr size_t load_batch = 4096;
constexpr size_t max_load_batch = 1'000'000;

/// Shortest period a reminder may have.
constexpr clock::duration min_period = std::chrono::seconds{1};
constexpr clock::duration min_min_period = std::chrono::milliseconds{1};
constexpr clock::duration max_min_period = std::chrono::hours{24};

/// Most deliveries per second.
constexpr uint64_t max_delivery_rate = 1000;
constexpr uint64_t max_max_delivery_rate = 1'000'000;

/// A delivery that has not reached its behaviour within this time is lost.
constexpr clock::duration ack_timeout = std::chrono::seconds{30};
constexpr clock::duration min_ack_timeout = std::chrono::milliseconds{10};
constexpr clock::duration max_ack_timeout = std::chrono::hours{1};

/// Most reminders held in memory at once.
constexpr size_t max_window = 20'000;
constexpr size_t max_max_window = 10'000'000;

/// Largest payload a reminder may carry.
constexpr size_t max_payload_bytes = size_t{64} * 1024;
constexpr size_t max_max_payload_bytes = size_t{16} * 1024 * 1024;

/// How long a write waits for a locked database.
constexpr std::chrono::milliseconds busy_timeout = sqlite::busy_timeout;
constexpr clock::duration max_busy_timeout = std::chrono::minutes{10};

/// The store: "sqlite" (embedded) or "postgres".
constexpr std::string_view store = "sqlite";

/// Longest PostgreSQL connect timeout, statement timeout or start-up wait.
constexpr clock::duration max_postgres_timeout = std::chrono::hours{1};

} // namespace reminders

} // namespace horae::defaults
