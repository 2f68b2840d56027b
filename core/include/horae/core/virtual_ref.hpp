// A handle to a virtual actor: (type, key) rather than an actor instance.
// Sending through it activates the actor when needed.
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/make_message.hpp>

#include <horae/core/fwd.hpp>

namespace horae {

/// Location-transparent reference to a virtual actor.
///
/// A message sent through a `virtual_ref` is never lost to a deactivation:
/// the registry parks it while the old activation shuts down and hands it
/// to the next activation. In a cluster with the transport installed, a
/// reference obtained on any node reaches the actor on the node holding
/// its partition (see docs/cluster.md).
class virtual_ref {
public:
  // -- constructors -----------------------------------------------------------

  /// A reference to (type, key) of `registry`. `cell`, which the registry
  /// hands out, lets sends to a live activation bypass the registry's lock.
  virtual_ref(std::shared_ptr<virtual_actor_registry> registry,
              std::string type, std::string key,
              std::shared_ptr<detail::activation_cell> cell = nullptr);

  // -- observers --------------------------------------------------------------

  const std::string& type() const noexcept {
    return type_;
  }

  const std::string& key() const noexcept {
    return key_;
  }

  // -- messaging --------------------------------------------------------------

  /// Sends `xs...` anonymously, activating the actor if needed.
  /// @returns an error if the runtime is shutting down.
  template <class... Ts>
  caf::error send(Ts&&... xs) const {
    // The values go straight into the mailbox element, as with anon_send:
    // no separate message to allocate.
    return deliver(caf::make_mailbox_element(nullptr, caf::make_message_id(),
                                             {}, std::forward<Ts>(xs)...));
  }

  /// Sends `xs...` on behalf of `sender`, so that replies reach it.
  template <class Handle, class... Ts>
  caf::error send_as(const Handle& sender, Ts&&... xs) const {
    return deliver(caf::make_mailbox_element(
      caf::actor_cast<caf::strong_actor_ptr>(sender), caf::make_message_id(),
      {}, std::forward<Ts>(xs)...));
  }

  /// Delivers a prepared message.
  caf::error deliver(caf::strong_actor_ptr sender, caf::message msg) const;

  /// Delivers a prepared mailbox element.
  caf::error deliver(caf::mailbox_element_ptr element) const;

  /// @returns the current activation, activating it if needed. A handle
  ///          obtained this way may go stale when the actor deactivates;
  ///          prefer sending through the reference.
  caf::expected<caf::actor> resolve() const;

  /// Asks the activation, if any, to deactivate. It does so when it handles
  /// the request with an otherwise empty mailbox; a busy actor stays.
  void deactivate() const;

private:
  std::shared_ptr<virtual_actor_registry> registry_;
  std::string type_;
  std::string key_;
  /// The key's door to its live activation; every send tries it first.
  std::shared_ptr<detail::activation_cell> cell_;
};

} // namespace horae
