// How users describe the behaviour of a horae actor: a function that receives
// the actor (to attach facets and keep state) and returns its behaviour.
#pragma once

#include <functional>

#include <caf/behavior.hpp>

#include <horae/core/actor_type_options.hpp>
#include <horae/core/fwd.hpp>

namespace horae {

/// Creates the behaviour of one activation.
using actor_factory = std::function<caf::behavior(actor*)>;

} // namespace horae
