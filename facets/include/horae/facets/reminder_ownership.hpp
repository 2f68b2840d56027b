// What the reminders module needs from a cluster: which partitions this
// node holds, under which epoch, so that it fires only its own reminders
// and fences its writes. The cluster module provides it as a service.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <horae/core/service.hpp>

namespace horae {

/// This node's share of the reminders in cluster mode. When a runtime has
/// this service, the reminders module keeps reminders on PostgreSQL, fires
/// only those of partitions held here, and fences every write with the
/// partition's epoch.
class reminder_ownership : public service {
public:
  /// @returns this node's id, as the lease table names owners.
  virtual const std::string& node_id() const noexcept = 0;

  /// @returns this node's incarnation (grows at every start).
  virtual uint64_t incarnation() const noexcept = 0;

  /// @returns the store's partition count.
  virtual uint32_t partitions() const noexcept = 0;

  /// @returns the epoch under which this node holds `partition` now, or
  ///          none if it does not hold it or may no longer act on it (its
  ///          lease may have run out). Thread-safe.
  virtual std::optional<uint64_t> epoch_of(uint32_t partition) const = 0;

  /// @returns the partitions this node holds now. Thread-safe.
  virtual std::vector<uint32_t> held() const = 0;

  /// The PostgreSQL server the cluster shares (connection string).
  virtual const std::string& conninfo() const noexcept = 0;
};

} // namespace horae
