// Where a node of the cluster listens for messages from the others.
#pragma once

#include <cstdint>
#include <string>

namespace horae::cluster {

/// A node's identity and the endpoint of its router.
struct node_address {
  /// The node's configured id, unique in the cluster.
  std::string node_id;

  /// Host name or IP address the node's router is published on.
  std::string host;

  /// TCP port of the node's router.
  uint16_t port = 0;
};

/// @returns whether `x` and `y` name the same node at the same endpoint.
inline bool operator==(const node_address& x, const node_address& y) {
  return x.node_id == y.node_id && x.host == y.host && x.port == y.port;
}

/// @returns whether `x` and `y` differ.
inline bool operator!=(const node_address& x, const node_address& y) {
  return !(x == y);
}

} // namespace horae::cluster
