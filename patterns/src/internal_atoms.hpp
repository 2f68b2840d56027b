// Atoms the pattern actors send only to themselves; users never see them, so
// they stay out of the public atoms.hpp.
#pragma once

#include <caf/atom.hpp>

namespace horae::detail {

/// A per-job or per-waiter deadline fired.
using deadline_atom = caf::atom_constant<caf::atom("h_deadl")>;

/// A retry backoff elapsed.
using backoff_atom = caf::atom_constant<caf::atom("h_backoff")>;

} // namespace horae::detail
