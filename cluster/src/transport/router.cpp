// The router's API side: what can be decided without the actor (a held
// partition, an unannounced type) is decided at the call.
#include <caf/send.hpp>

#include <horae/cluster/partition.hpp>
#include <horae/cluster/transport/announced_types.hpp>
#include <horae/cluster/transport/router.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "transport/delivery.hpp"
#include "transport/router_atoms.hpp"

namespace horae::cluster {

// -- constructors, destructors, and assignment operators ----------------------

router::router(runtime& owner, transport_options options,
               std::shared_ptr<const ownership_view> view, caf::actor handle,
               uint16_t port)
  : owner_(&owner), options_(std::move(options)), view_(std::move(view)),
    handle_(std::move(handle)), port_(port) {
  // nop
}

router::~router() {
  stop();
}

// -- messaging ----------------------------------------------------------------

void router::deliver(std::string type, std::string key, caf::message msg,
                     delivery_callback done) {
  if (!handle_) {
    done(make_error(errc::closed, "the cluster router of node '"
                                    + options_.node_id + "' was stopped"));
    return;
  }
  auto partition = partition_of(type, key, view_->partitions());
  if (view_->holds(partition)) {
    done(owner_->registry().deliver(type, key, nullptr, std::move(msg)));
    return;
  }
  if (auto err = check_announced(owner_->system(), msg)) {
    done(err);
    return;
  }
  // Without a live router the message is dropped, and with it the
  // delivery, which then reports `closed`.
  caf::anon_send(handle_, detail::deliver_atom::value,
                 std::make_shared<detail::delivery>(
                   std::move(type), std::move(key), partition, std::move(msg),
                   std::move(done)));
}

// -- lifecycle ----------------------------------------------------------------

void router::start() {
  // nop: the router actor runs from the moment it is published
}

void router::stop() {
  if (!handle_)
    return;
  caf::anon_send_exit(handle_, caf::exit_reason::user_shutdown);
  // The runtime destroys its actor system before its services: no handle
  // may outlive the system it belongs to.
  handle_ = nullptr;
}

} // namespace horae::cluster
