// A defined virtual actor type as activations see it: shared, immutable and
// already checked, so an activation re-validates nothing.
#pragma once

#include <string>

#include <horae/core/actor_factory.hpp>
#include <horae/core/actor_type_options.hpp>

namespace horae::detail {

struct defined_type {
  /// The name given to `define`; empty for actors `runtime::spawn` makes.
  std::string name;
  actor_factory factory;
  /// Completed: `idle_timeout` is set and every listed facet has a complete
  /// dictionary of settings.
  actor_type_options options;
};

} // namespace horae::detail
