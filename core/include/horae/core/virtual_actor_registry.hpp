// The directory of virtual actors: which types exist, which (type, key) pairs
// are active, and the activation/deactivation protocol between them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message.hpp>

#include <horae/core/actor_factory.hpp>
#include <horae/core/actor_type_options.hpp>
#include <horae/core/fwd.hpp>
#include <horae/core/metrics.hpp>
#include <horae/core/virtual_ref.hpp>

namespace horae {

namespace detail {
struct defined_type;
} // namespace detail

/// Defines virtual actor types and hands out references to their instances.
///
/// Activation: the first message for (type, key) spawns an actor from the
/// type's factory. Deactivation: an idle actor asks the registry to vacate
/// its slot; the registry agrees only while the actor's mailbox is empty and
/// holds the slot's lock while checking, so no sender can slip a message in
/// between. Messages arriving while the old activation runs its deactivation
/// hooks are parked and delivered, in order, to the next activation.
///
/// The runtime owns the registry through a shared pointer: references keep
/// it alive after the runtime is gone, and then only report `closed`.
class virtual_actor_registry
  : public std::enable_shared_from_this<virtual_actor_registry> {
public:
  // -- member types -----------------------------------------------------------

  /// Learns the name of each newly defined type.
  using define_listener = std::function<void(const std::string& type)>;

  // -- constructors, destructors, and assignment operators --------------------

  explicit virtual_actor_registry(runtime& owner);

  ~virtual_actor_registry();

  virtual_actor_registry(const virtual_actor_registry&) = delete;

  virtual_actor_registry& operator=(const virtual_actor_registry&) = delete;

  // -- modifiers --------------------------------------------------------------

  /// Defines actor type `type`. Its options complete the config file's
  /// `[actor.<type>]` section: facets add to the section's, settings and
  /// the idle timeout override it. Facet names and settings are checked and
  /// completed here, once; activations start from the completed values.
  /// @returns an error for an empty or duplicate type name, an empty
  ///          factory, a negative idle timeout, an unknown facet, or invalid
  ///          facet settings.
  caf::error define(std::string type, actor_factory factory,
                    const actor_type_options& options = {});

  /// Stops activating actors and asks every active one to deactivate.
  void shutdown();

  /// Calls `fn` after each later `define`, on the defining thread and
  /// outside the registry's lock; e.g. deliveries that found their type
  /// undefined go out once it exists.
  void on_define(define_listener fn);

  /// Delivers `msg` to (type, key) on behalf of `sender`, activating the
  /// actor if needed; the same path a `virtual_ref` takes, without making
  /// one. @returns `not_found` for an undefined type, `closed` after
  /// shutdown.
  caf::error deliver(const std::string& type, const std::string& key,
                     caf::strong_actor_ptr sender, caf::message msg);

  /// As above, for a prepared mailbox element. Where this runtime may not
  /// activate (type, key) (the gate says `not_owner`) and a remote
  /// delivery is installed, the element goes there instead.
  caf::error deliver(const std::string& type, const std::string& key,
                     caf::mailbox_element_ptr element);

  /// Delivers `msg` from `sender` to an activation in this runtime only:
  /// `not_owner` where the gate places (type, key) elsewhere, never a
  /// remote delivery. The cluster's router uses it for messages it accepts
  /// for this node.
  caf::error deliver_local(const std::string& type, const std::string& key,
                           caf::strong_actor_ptr sender, caf::message msg);

  /// @returns the current activation of (type, key), activating it if
  ///          needed.
  caf::expected<caf::actor> resolve(const std::string& type,
                                    const std::string& key);

  /// Asks the activation of (type, key), if any, to deactivate.
  void request_deactivation(const std::string& type, const std::string& key);

  // -- placement --------------------------------------------------------------

  /// Decides whether (type, key) may be activated in this runtime; an
  /// error refuses and is what the sender gets (in a cluster: `not_owner`
  /// for a key whose partition another node holds).
  using activation_gate = std::function<caf::error(const std::string& type,
                                                   const std::string& key)>;

  /// Installs `gate`, checked under the registry's lock where an activation
  /// is about to start (reactivations for parked messages included), so
  /// none starts after the gate closed. Messages for a live activation
  /// still reach it; messages parked for one that ended go to the remote
  /// delivery, or are dropped with a warning if there is none.
  void set_activation_gate(activation_gate gate);

  /// Carries a message for (type, key) that the gate placed in another
  /// runtime (e.g. the cluster router, to the node holding the key's
  /// partition). @returns an error if it cannot take the message; none
  /// once it took it over (its own later outcome is its to report).
  using remote_delivery
    = std::function<caf::error(const std::string& type, const std::string& key,
                               caf::mailbox_element_ptr element)>;

  /// Installs `fn` (empty: none) for messages placed elsewhere; called
  /// outside the registry's lock.
  void set_remote_delivery(remote_delivery fn);

  /// Asks every activation for which `pred(type, key)` holds to deactivate,
  /// e.g. those of partitions this node gave up.
  void request_deactivation_where(
    const std::function<bool(const std::string& type, const std::string& key)>&
      pred);

  /// @returns a reference to (type, key), or an error if the type is
  ///          undefined or the key empty.
  caf::expected<virtual_ref> ref(const std::string& type,
                                 const std::string& key);

  // -- observers --------------------------------------------------------------

  /// @returns whether `type` was defined.
  bool defined(const std::string& type) const;

  /// @returns how many activations currently exist.
  size_t active_count() const;

  /// @returns how many activations (type, key) has had so far.
  uint64_t incarnations(const std::string& type, const std::string& key) const;

private:
  // -- slots ------------------------------------------------------------------

  enum class slot_state { active, vacating };

  struct slot {
    caf::actor handle;
    /// The key's door for references' sends; open while `state` is active.
    std::shared_ptr<detail::activation_cell> cell;
    uint64_t incarnation = 0;
    slot_state state = slot_state::active;
    std::vector<caf::mailbox_element_ptr> parked;
  };

  using type_ptr = std::shared_ptr<const detail::defined_type>;

  static std::string slot_key(const std::string& type, const std::string& key);

  /// Merges the config section of `type` with `options` and completes every
  /// facet's settings.
  caf::expected<actor_type_options>
  complete_options(const std::string& type,
                   const actor_type_options& options) const;

  /// Finds the slot of (type, key), activating it if needed. Requires
  /// `mtx_`.
  caf::expected<slot*> find_or_activate(const std::string& type,
                                        const std::string& key);

  /// Enqueues or parks `element` for the activation of (type, key),
  /// activating it if needed. Requires `mtx_`. Leaves `element` untouched
  /// on error.
  caf::error enqueue_locally(const std::string& type, const std::string& key,
                             caf::mailbox_element_ptr& element);

  /// @returns the door of (type, key) for sends through references,
  ///          shared by every reference and activation of the key. Requires
  ///          `mtx_`.
  std::shared_ptr<detail::activation_cell> cell_for(const std::string& k);

  /// Spawns a new activation into `s`. Requires `mtx_`.
  void activate(const type_ptr& type, const std::string& key, slot& s);

  // -- the activation's side of the protocol ----------------------------------

  /// Succeeds only if activation `incarnation`'s mailbox is empty, and from
  /// then on parks new messages. Reached by an activation through the
  /// narrow hook `activate` hands it, never through a public member.
  bool try_vacate(const std::string& type, const std::string& key,
                  uint64_t incarnation, actor& self);

  /// Called when activation `incarnation` of (type, key) has terminated.
  void on_terminated(const std::string& type, const std::string& key,
                     uint64_t incarnation);

  // -- member variables -------------------------------------------------------

  runtime* owner_;
  counter* activations_;
  counter* deactivations_;
  mutable std::mutex mtx_;
  bool closed_ = false;
  activation_gate gate_;
  remote_delivery remote_;
  std::map<std::string, type_ptr> types_;
  std::vector<define_listener> define_listeners_;
  std::unordered_map<std::string, slot> slots_;
  /// Every key's door while a reference or an activation holds it; expired
  /// entries are swept when the table has doubled since the last sweep.
  std::unordered_map<std::string, std::weak_ptr<detail::activation_cell>>
    cells_;
  size_t cells_swept_at_ = 0;
  std::unordered_map<std::string, uint64_t> history_;
};

} // namespace horae
