// The atoms of the router protocol: between a node's API and its router
// actor, and between the routers of two nodes.
#pragma once

#include <caf/atom.hpp>

namespace horae::cluster::detail {

/// API -> local router: route this delivery.
using deliver_atom = caf::atom_constant<caf::atom("h_deliver")>;

/// Router -> itself: try a delivery again after a pause.
using retry_atom = caf::atom_constant<caf::atom("h_retry")>;

/// Router -> peer router: (type, key, partition, sender, message) for your
/// node.
using forward_atom = caf::atom_constant<caf::atom("h_forward")>;

/// Peer router's answer: the message is in the virtual actor's hands.
using delivered_atom = caf::atom_constant<caf::atom("delivered")>;

/// Peer router's answer: this node does not hold the partition (anymore).
using moved_atom = caf::atom_constant<caf::atom("moved")>;

} // namespace horae::cluster::detail
