// The actor behind `cluster::router`: routes deliveries, retries them, keeps
// connections to peer routers and accepts messages forwarded by them.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include <caf/behavior.hpp>
#include <caf/stateful_actor.hpp>

#include <horae/cluster/ownership_view.hpp>
#include <horae/cluster/transport/transport_options.hpp>
#include <horae/core/fwd.hpp>

#include "transport/delivery.hpp"
#include "transport/peer_table.hpp"

namespace horae::cluster::detail {

/// The router actor's state; every member is touched by the actor only.
struct router_state {
  runtime* owner = nullptr;
  std::shared_ptr<const ownership_view> view;
  transport_options options;
  peer_table peers;

  /// Deliveries not yet finished, by id. Dropping them (the actor stops)
  /// reports `closed` to their callers.
  std::unordered_map<uint64_t, std::shared_ptr<delivery>> pending;

  uint64_t next_id = 1;

  static inline const char* name = "horae.cluster.router";
};

using router_actor = caf::stateful_actor<router_state>;

/// Runs a router for `owner`'s registry. Deliveries arrive as
/// `(deliver_atom, std::shared_ptr<delivery>)`; peers send `forward_atom`.
caf::behavior router_behavior(router_actor* self, runtime* owner,
                              std::shared_ptr<const ownership_view> view,
                              transport_options options);

} // namespace horae::cluster::detail
