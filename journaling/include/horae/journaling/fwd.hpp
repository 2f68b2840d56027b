// Forward declarations of the journaling module, so that headers which only
// pass reminder types around need not include their definitions.
#pragma once

#include <cstdint>

namespace horae {

enum class missed_tick_policy : uint8_t;

struct reminder_key;
struct reminder_record;
struct sqlite_store_options;

class reminder_store;

} // namespace horae
