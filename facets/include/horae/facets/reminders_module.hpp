// The reminders module: `horae.reminders.*` options, the SQLite-backed
// reminder service and the "reminders" facet. Needs the timers module.
#pragma once

#include <horae/core/module.hpp>

namespace horae {

/// @returns the module to add after `timers_module()`.
module reminders_module();

} // namespace horae
