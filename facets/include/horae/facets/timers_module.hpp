// The timers module: the `horae.timers.*` options, the timer service and the
// "timers" facet that `[actor.<type>]` sections can list.
#pragma once

#include <horae/core/module.hpp>

namespace horae {

/// @returns the module to pass to `config_loader::add_module` (or
///          `config::add_module`) for TimerFacet support.
module timers_module();

} // namespace horae
