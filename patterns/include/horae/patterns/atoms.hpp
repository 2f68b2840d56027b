// The control atoms understood by horae's pattern actors. Everything that is
// not a control message is treated as work (a job, an item, a publication).
#pragma once

#include <caf/atom.hpp>

namespace horae {

/// Stop intake and drain (worker pool, pipeline, fan-out).
using close_atom = caf::atom_constant<caf::atom("h_close")>;

/// Cancel queued or in-flight work; answered with how many were cancelled.
using cancel_atom = caf::atom_constant<caf::atom("h_cancel")>;

/// Ask a pattern actor for its counters.
using stats_atom = caf::atom_constant<caf::atom("h_stats")>;

/// Subscribe an actor to a broadcast.
using subscribe_atom = caf::atom_constant<caf::atom("h_sub")>;

/// Unsubscribe an actor from a broadcast.
using unsubscribe_atom = caf::atom_constant<caf::atom("h_unsub")>;

/// Rate limiter: take a token now or fail (`allow now?`).
using try_acquire_atom = caf::atom_constant<caf::atom("h_tryacq")>;

/// Rate limiter: take a token, waiting for a refill if necessary.
using acquire_atom = caf::atom_constant<caf::atom("h_acquire")>;

} // namespace horae
