// Answering the transport's ownership questions from the lease manager.
#include "leases/lease_view.hpp"

#include <cstdlib>

namespace horae::detail {

uint32_t lease_view::partitions() const {
  auto leases = leases_.load();
  // Before the cluster module installed, nothing is held or owned; one
  // partition keeps the transport's arithmetic defined meanwhile.
  return leases != nullptr ? leases->partitions() : 1;
}

bool lease_view::holds(uint32_t p) const {
  auto leases = leases_.load();
  return leases != nullptr && leases->epoch_of(p).has_value();
}

std::optional<cluster::node_address> lease_view::owner_of(uint32_t p) const {
  auto leases = leases_.load();
  if (leases == nullptr)
    return std::nullopt;
  auto owner = leases->owner_of(p);
  if (!owner)
    return std::nullopt;
  // Endpoints are "host:port", as the owner registered its router.
  auto colon = owner->endpoint.rfind(':');
  if (colon == std::string::npos)
    return std::nullopt;
  auto port = std::strtoul(owner->endpoint.c_str() + colon + 1, nullptr, 10);
  if (port == 0 || port > 65535)
    return std::nullopt;
  return cluster::node_address{owner->node_id, owner->endpoint.substr(0, colon),
                               static_cast<uint16_t>(port)};
}

} // namespace horae::detail
