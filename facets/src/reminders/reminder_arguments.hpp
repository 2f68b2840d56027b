// The checks of ReminderFacet::upsert's arguments, in one function, as the
// pattern actors check their options.
#pragma once

#include <string>

#include <caf/error.hpp>

#include <horae/core/clock.hpp>
#include <horae/facets/reminder_options.hpp>
#include <horae/facets/reminder_service.hpp>

namespace horae::detail {

/// @returns `invalid_argument` or `out_of_range` naming the reminder and
///          the first bad argument: name, due time, period (also against
///          `cfg.min_period`), TTL (also one ending before the first fire),
///          payload size, missed-tick policy, failure policy; else none.
caf::error validate(const std::string& name, clock::duration due_in,
                    clock::duration period, const reminder_options& options,
                    const reminder_service_config& cfg);

} // namespace horae::detail
