// The cluster module: several runtimes (nodes) share one PostgreSQL store;
// partition leases decide which node fires which reminders.
#pragma once

#include <horae/core/module.hpp>

namespace horae {

/// Declares the horae.cluster options and, at install, joins the
/// cluster: registers this node, then keeps its partition leases on a
/// heartbeat. Add it before `reminders_module()`, which then keeps
/// reminders in the cluster's store, fires only those of partitions this
/// node holds and fences every write with the partition's epoch.
module cluster_module();

} // namespace horae
