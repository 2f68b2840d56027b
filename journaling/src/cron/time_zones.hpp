// Lookup of IANA time zones in the system database, with errors as values.
#pragma once

#include <string_view>

#include <caf/expected.hpp>

#include <date/tz.h>

namespace horae::detail {

/// Finds the zone `name`; null stands for UTC, which needs no database.
/// @returns the zone or `errc::invalid_argument` naming it.
caf::expected<const date::time_zone*> find_time_zone(std::string_view name);

} // namespace horae::detail
