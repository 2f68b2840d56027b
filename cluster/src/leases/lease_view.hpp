// The ownership view the transport reads, kept by the node's leases: made
// before the runtime (the transport module needs it when CAF is
// configured) and bound to the lease manager when the cluster module
// installs.
#pragma once

#include <atomic>

#include <horae/cluster/ownership_view.hpp>

#include "leases/lease_manager.hpp"

namespace horae::detail {

class lease_view final : public cluster::ownership_view {
public:
  /// Binds the view to `leases` (which must outlive every reader).
  void bind(const lease_manager* leases) noexcept {
    leases_.store(leases);
  }

  uint32_t partitions() const override;

  std::optional<cluster::node_address> owner_of(uint32_t p) const override;

  bool holds(uint32_t p) const override;

private:
  std::atomic<const lease_manager*> leases_{nullptr};
};

} // namespace horae::detail
