// The router's view of the other nodes' routers: a handle per node id while
// its connection lives, the deliveries waiting for a connection, and those
// sent and not yet confirmed. A lost connection is final for that handle:
// the entry goes and the next delivery connects afresh, so a restarted
// peer is reached at its new incarnation.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include <horae/cluster/node_address.hpp>

namespace horae::cluster::detail {

/// What a router knows about one peer router.
struct peer {
  /// Where the handle was obtained; a different address needs a new one.
  node_address address;

  /// Valid once connected; monitored.
  caf::actor handle;

  /// Whether a connect request is outstanding.
  bool connecting = false;

  /// Deliveries waiting for the connection.
  std::vector<uint64_t> waiting;

  /// Deliveries forwarded and not yet answered.
  std::set<uint64_t> in_flight;
};

/// Peers by node id.
class peer_table {
public:
  /// @returns the entry of `node_id`, created empty if needed.
  peer& operator[](const std::string& node_id) {
    return peers_[node_id];
  }

  /// @returns the entry of `node_id` or `nullptr`.
  peer* find(const std::string& node_id) {
    auto i = peers_.find(node_id);
    return i != peers_.end() ? &i->second : nullptr;
  }

  /// Removes the peer whose handle is `source`.
  /// @returns its node id and in-flight deliveries, or an empty id if no
  ///          peer has that handle.
  std::pair<std::string, std::set<uint64_t>>
  remove_by_handle(const caf::actor_addr& source) {
    for (auto i = peers_.begin(); i != peers_.end(); ++i) {
      if (i->second.handle && i->second.handle.address() == source) {
        auto result = std::make_pair(i->first, std::move(i->second.in_flight));
        peers_.erase(i);
        return result;
      }
    }
    return {};
  }

private:
  std::unordered_map<std::string, peer> peers_;
};

} // namespace horae::cluster::detail
