// The cluster module: several runtimes (nodes) share one PostgreSQL store;
// partition leases decide which node fires which reminders.
#pragma once

#include <memory>

#include <horae/cluster/ownership_view.hpp>
#include <horae/core/module.hpp>

namespace horae {

/// Declares the horae.cluster options and, at install, joins the
/// cluster: registers this node, then keeps its partition leases on a
/// heartbeat. Add it before `reminders_module()`, which then keeps
/// reminders in the cluster's store, fires only those of partitions this
/// node holds and fences every write with the partition's epoch.
module cluster_module();

/// The same, keeping `view` (made by `make_lease_view`) up to date with
/// this node's leases, for `cluster::transport_module(options, view)`:
/// messages for actors of partitions held elsewhere then go to their
/// owner's router, whose endpoint is `horae.cluster.endpoint` there.
module cluster_module(const std::shared_ptr<cluster::ownership_view>& view);

/// @returns an ownership view for `cluster_module(view)` and the
///          transport; it holds nothing until the cluster module installs.
std::shared_ptr<cluster::ownership_view> make_lease_view();

} // namespace horae
