// The router's API side: what can be decided without the actor (a held
// partition, an unannounced type) is decided at the call.
#include <caf/mailbox_element.hpp>
#include <caf/send.hpp>

#include <horae/cluster/partition.hpp>
#include <horae/cluster/transport/announced_types.hpp>
#include <horae/cluster/transport/router.hpp>
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/metrics.hpp>
#include <horae/core/runtime.hpp>
#include <horae/core/virtual_actor_registry.hpp>

#include "transport/delivery.hpp"
#include "transport/router_atoms.hpp"
#include <spdlog/spdlog.h>

namespace horae::cluster {

// -- constructors, destructors, and assignment operators ----------------------

router::router(runtime& owner, transport_options options,
               std::shared_ptr<const ownership_view> view, caf::actor handle,
               uint16_t port)
  : owner_(&owner), options_(std::move(options)), view_(std::move(view)),
    handle_(std::move(handle)), port_(port),
    remote_failures_(&owner.metrics().add_counter(
      "horae_cluster_remote_delivery_failures_total",
      "messages sent through runtime::ref for an actor on another node that "
      "no node confirmed")) {
  // nop
}

router::~router() {
  stop();
}

// -- messaging ----------------------------------------------------------------

void router::deliver(std::string type, std::string key, caf::message msg,
                     delivery_callback done) {
  deliver(std::move(type), std::move(key), nullptr, std::move(msg),
          std::move(done));
}

void router::deliver(std::string type, std::string key,
                     caf::strong_actor_ptr sender, caf::message msg,
                     delivery_callback done) {
  if (!handle_) {
    done(make_error(errc::closed, "the cluster router of node '"
                                    + options_.node_id + "' was stopped"));
    return;
  }
  auto partition = partition_of(type, key, view_->partitions());
  if (view_->holds(partition)) {
    auto err = owner_->registry().deliver_local(type, key, sender, msg);
    // Given up since the view was read: the router finds the new owner.
    if (code_of(err) != errc::not_owner) {
      done(err);
      return;
    }
  }
  if (auto err = check_announced(owner_->system(), msg)) {
    done(err);
    return;
  }
  route(std::move(type), std::move(key), partition, std::move(sender),
        std::move(msg), std::move(done));
}

void router::route(std::string type, std::string key, uint32_t partition,
                   caf::strong_actor_ptr sender, caf::message msg,
                   delivery_callback done) {
  // Without a live router the message is dropped, and with it the
  // delivery, which then reports `closed`.
  caf::anon_send(handle_, detail::deliver_atom::value,
                 std::make_shared<detail::delivery>(
                   std::move(type), std::move(key), partition,
                   std::move(sender), std::move(msg), std::move(done)));
}

// -- lifecycle ----------------------------------------------------------------

void router::start() {
  // The router actor runs from the moment it is published; here it also
  // takes the registry's messages for actors placed on other nodes.
  owner_->registry().set_remote_delivery(
    [this](const std::string& type, const std::string& key,
           caf::mailbox_element_ptr element) -> caf::error {
      auto msg = element->move_content_to_message();
      // An unannounced type is refused now, as the sender's own error. The
      // registry's gate placed the key elsewhere: straight to the router
      // actor, which looks the owner up.
      if (auto err = check_announced(owner_->system(), msg))
        return err;
      route(type, key, partition_of(type, key, view_->partitions()),
            std::move(element->sender), std::move(msg),
            [counter = remote_failures_, where = type + "/" + key,
             node = options_.node_id](const caf::error& err) {
              if (!err)
                return;
              counter->add();
              logging::logger("cluster")->warn(
                "node {}: a message to {} was not delivered: {}", node, where,
                describe(err));
            });
      return caf::none;
    });
}

void router::stop() {
  if (!handle_)
    return;
  owner_->registry().set_remote_delivery(nullptr);
  caf::anon_send_exit(handle_, caf::exit_reason::user_shutdown);
  // The runtime destroys its actor system before its services: no handle
  // may outlive the system it belongs to.
  handle_ = nullptr;
}

} // namespace horae::cluster
