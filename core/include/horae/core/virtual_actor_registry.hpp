// The directory of virtual actors: which types exist, which (type, key) pairs
// are active, and the activation/deactivation protocol between them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>

#include <horae/core/actor_factory.hpp>
#include <horae/core/fwd.hpp>
#include <horae/core/virtual_ref.hpp>

namespace horae {

/// Defines virtual actor types and hands out references to their instances.
///
/// Activation: the first message for (type, key) spawns an actor from the
/// type's factory. Deactivation: an idle actor asks the registry to vacate
/// its slot; the registry agrees only while the actor's mailbox is empty and
/// holds the slot's lock while checking, so no sender can slip a message in
/// between. Messages arriving while the old activation runs its deactivation
/// hooks are parked and delivered, in order, to the next activation.
class virtual_actor_registry {
public:
  // -- member types -----------------------------------------------------------

  /// Learns the name of each newly defined type.
  using define_listener = std::function<void(const std::string& type)>;

  // -- constructors, destructors, and assignment operators --------------------

  explicit virtual_actor_registry(runtime& owner);

  ~virtual_actor_registry();

  // -- modifiers --------------------------------------------------------------

  /// Defines actor type `type`.
  /// @returns an error for an empty or duplicate type name, an empty
  ///          factory, an unknown facet, or invalid facet settings.
  caf::error define(std::string type, actor_factory factory,
                    actor_type_options options);

  /// Stops activating actors and asks every active one to deactivate.
  void shutdown();

  /// Calls `fn` after each later `define`, on the defining thread and
  /// outside the registry's lock; e.g. deliveries that found their type
  /// undefined go out once it exists.
  void on_define(define_listener fn);

  // -- observers --------------------------------------------------------------

  /// @returns a reference to (type, key), or an error if the type is
  ///          undefined or the key empty.
  caf::expected<virtual_ref> ref(const std::string& type,
                                 const std::string& key) const;

  /// Delivers `msg` to (type, key) on behalf of `sender`, activating the
  /// actor if needed; the same path a `virtual_ref` takes, without making
  /// one. @returns `not_found` for an undefined type, `closed` after
  /// shutdown.
  caf::error deliver(const std::string& type, const std::string& key,
                     caf::strong_actor_ptr sender, caf::message msg) const;

  /// @returns whether `type` was defined.
  bool defined(const std::string& type) const;

  /// @returns how many activations currently exist.
  size_t active_count() const;

  /// @returns how many activations (type, key) has had so far.
  uint64_t incarnations(const std::string& type, const std::string& key) const;

  /// @private: the shared state actors and references talk to.
  const std::shared_ptr<detail::registry_state>& state() const noexcept {
    return state_;
  }

private:
  std::shared_ptr<detail::registry_state> state_;
};

} // namespace horae
