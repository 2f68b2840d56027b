// Read-only answers about who owns which partition. The lease manager keeps
// them up to date from PostgreSQL; the transport only reads them.
#pragma once

#include <cstdint>
#include <optional>

#include <horae/cluster/node_address.hpp>

namespace horae::cluster {

/// Which node owns each of a fixed number of partitions, as this node
/// currently knows it. Implementations must be safe to call from any thread.
class ownership_view {
public:
  // -- constructors, destructors, and assignment operators --------------------

  virtual ~ownership_view() = default;

  // -- observers --------------------------------------------------------------

  /// @returns how many partitions the cluster has; never changes.
  virtual uint32_t partitions() const = 0;

  /// @returns the node that owns `partition`, or `std::nullopt` while it is
  ///          unowned (e.g. during a failover).
  /// @pre `partition < partitions()`
  virtual std::optional<node_address> owner_of(uint32_t partition) const = 0;

  /// @returns whether this node holds `partition` now and may deliver its
  ///          messages to local virtual actors.
  /// @pre `partition < partitions()`
  virtual bool holds(uint32_t partition) const = 0;
};

} // namespace horae::cluster
