// The node's entry point for messages to virtual actors anywhere in the
// cluster: it delivers locally what this node holds and forwards the rest to
// the owner's router over CAF's BASP.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>

#include <horae/cluster/ownership_view.hpp>
#include <horae/cluster/transport/transport_options.hpp>
#include <horae/core/metrics.hpp>
#include <horae/core/service.hpp>

namespace horae {
class runtime;
} // namespace horae

namespace horae::cluster {

/// Learns a delivery's outcome: no error once the owning node's virtual
/// actor has the message (parked or enqueued), else why it failed.
using delivery_callback = std::function<void(const caf::error&)>;

/// Routes messages for (type, key) to the node that owns the partition of
/// (type, key), as the ownership view says.
///
/// Each node publishes one router actor. A delivery for a partition held
/// here goes straight to the local registry. Otherwise the router connects
/// to the owner's router (once per peer; the handle is cached and dropped
/// when the peer goes down) and forwards the message. The receiving router
/// checks that it still holds the partition: if so it hands the message to
/// the virtual actor and answers `delivered`, if not it answers `moved` and
/// the sender looks the owner up again and retries after a doubling pause,
/// within `max_attempts` and `delivery_deadline`.
///
/// Across nodes delivery is at-most-once: when a peer is lost or does not
/// answer after the message left, the caller gets an error saying the
/// outcome is unknown, and nothing is re-sent.
class router : public service {
public:
  // -- constructors, destructors, and assignment operators --------------------

  /// Called by `transport_module`'s installer once the router actor is
  /// published; applications obtain the router with
  /// `runtime::find_service<cluster::router>()`.
  router(runtime& owner, transport_options options,
         std::shared_ptr<const ownership_view> view, caf::actor handle,
         uint16_t port);

  ~router() override;

  // -- observers --------------------------------------------------------------

  std::string_view name() const noexcept override {
    return "cluster_router";
  }

  /// @returns the port the router listens on (the one the OS picked if the
  ///          options asked for port 0).
  uint16_t port() const noexcept {
    return port_;
  }

  /// @returns this node's id.
  const std::string& node_id() const noexcept {
    return options_.node_id;
  }

  /// @returns the published router actor; invalid after `stop`.
  const caf::actor& handle() const noexcept {
    return handle_;
  }

  // -- messaging --------------------------------------------------------------

  /// Delivers `msg` to the virtual actor (type, key) on whichever node owns
  /// it; the actor sees no sender.
  ///
  /// `done` runs exactly once: before `deliver` returns when the outcome is
  /// known at once (partition held here, unannounced type), otherwise later
  /// on the router actor's thread; it must not block.
  /// Errors: `invalid_argument` for a message with an unannounced type that
  /// would cross nodes, the owner registry's error (e.g. `not_found` for an
  /// undefined type), `timeout` when no owner accepted it within the bounds
  /// (quoting the last cause: no owner, peer unreachable, moved),
  /// `closed` when the peer was lost or the runtime stopped before the
  /// owner confirmed, or the router was stopped already.
  /// @pre not called concurrently with the runtime's shutdown.
  void deliver(std::string type, std::string key, caf::message msg,
               delivery_callback done);

  /// As above, on behalf of `sender`: the virtual actor sees it as the
  /// message's sender, on whichever node it lives, so its replies reach
  /// `sender` (across nodes through CAF's proxies).
  void deliver(std::string type, std::string key, caf::strong_actor_ptr sender,
               caf::message msg, delivery_callback done);

  // -- lifecycle --------------------------------------------------------------

  /// Becomes the registry's remote delivery: from now on a message sent
  /// through `runtime::ref(type, key)` on this node for a partition another
  /// node holds goes to that node. Such a send returns once the router
  /// took the message; a delivery that fails later is logged (category
  /// `cluster`) and counted (`horae_cluster_remote_delivery_failures_total`).
  void start() override;

  /// Stops the router actor; deliveries still pending report `closed`.
  void stop() override;

private:
  /// Hands a delivery checked already (an announced type, a partition not
  /// held here) to the router actor.
  void route(std::string type, std::string key, uint32_t partition,
             caf::strong_actor_ptr sender, caf::message msg,
             delivery_callback done);

  runtime* owner_;
  transport_options options_;
  std::shared_ptr<const ownership_view> view_;
  caf::actor handle_;
  uint16_t port_;
  /// Deliveries through `runtime::ref` that failed after the send
  /// returned.
  counter* remote_failures_ = nullptr;
};

} // namespace horae::cluster
