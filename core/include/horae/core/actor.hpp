// horae::actor: a CAF event-based actor that carries facets and runs their
// interceptors around its behaviour.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeindex>
#include <vector>

#include <caf/event_based_actor.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/facet.hpp>
#include <horae/core/fwd.hpp>

namespace horae {

/// Thrown when an actor uses a facet it never attached. This is a
/// programming error, hence an exception rather than an error value.
class missing_facet : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// Identity of a virtual actor activation.
struct virtual_identity {
  /// The actor type given to `runtime::define`.
  std::string type;
  /// The key within that type.
  std::string key;
  /// Increases with every activation of the same (type, key).
  uint64_t incarnation = 0;
  /// Deactivate after this long without activity; zero disables.
  clock::duration idle_timeout{0};
};

/// An activation's way to ask the registry to vacate its slot: succeeds only
/// while `self`'s mailbox is empty, and from then on the registry parks new
/// messages for the next activation.
using vacate_hook = std::function<bool(actor& self)>;

/// An event-based actor with facets.
///
/// `consume` runs every facet's `before_message` (highest priority first),
/// then the behaviour, then every `after_message` in reverse order. A message
/// that no facet intercepts (and every message of an actor without facets)
/// costs a read of its type, two type comparisons for horae's control
/// messages, one filter check and, for virtual actors with an idle timeout,
/// a clock read.
class actor : public caf::event_based_actor {
public:
  // -- member types -----------------------------------------------------------

  using super = caf::event_based_actor;

  // -- constructors, destructors, and assignment operators --------------------

  /// @throws std::logic_error if the actor system is not owned by a
  ///         horae::runtime.
  explicit actor(caf::actor_config& cfg);

  ~actor() override;

  // -- facets -----------------------------------------------------------------

  /// Creates a facet of type `T` from `xs` and attaches it.
  /// @throws std::logic_error if a facet of type `T` is already attached.
  template <class T, class... Ts>
  T& attach(Ts&&... xs) {
    auto ptr = std::make_unique<T>(std::forward<Ts>(xs)...);
    auto& ref = *ptr;
    attach_impl(std::type_index{typeid(T)}, std::move(ptr));
    return ref;
  }

  /// Attaches an already constructed facet; used by the runtime when a
  /// config file declares facets for an actor type.
  /// @throws std::logic_error if a facet of the same type is attached.
  void attach(std::unique_ptr<facet> ptr);

  /// @returns the attached facet of type `T`, or `nullptr`.
  template <class T>
  T* find_facet() noexcept {
    return static_cast<T*>(find_impl(std::type_index{typeid(T)}));
  }

  /// @returns the attached facet of type `T`.
  /// @throws missing_facet if the actor has none; the message names the
  ///         actor and the facet and says how to attach it.
  template <class T>
  T& facet() {
    if (auto ptr = find_facet<T>())
      return *ptr;
    throw missing_facet{missing_facet_message(typeid(T).name())};
  }

  /// Runs `on_deactivate` (if active) and `on_detach` of the facet of type
  /// `T` and removes it. @returns whether a facet was removed.
  template <class T>
  bool detach() {
    return detach_impl(std::type_index{typeid(T)});
  }

  // -- identity and environment -----------------------------------------------

  /// @returns the runtime that spawned this actor.
  horae::runtime& runtime() const noexcept {
    return *runtime_;
  }

  /// @returns the runtime's clock.
  horae::clock& clock() const noexcept;

  /// @returns the identity if this is a virtual actor activation.
  const std::optional<virtual_identity>& identity() const noexcept {
    return identity_;
  }

  /// @returns "type/key" for a virtual actor, "actor#<id>" otherwise.
  std::string display_name() const;

  /// @returns whether facets have been activated and not yet deactivated.
  bool active() const noexcept {
    return active_;
  }

  // -- lifecycle --------------------------------------------------------------

  /// Runs every facet's `on_deactivate` and terminates the actor normally.
  void deactivate();

protected:
  /// Makes this a virtual activation; called before the first message.
  void set_identity(virtual_identity id, vacate_hook vacate);

  // -- overrides --------------------------------------------------------------

  void initialize() override;

  void on_exit() override;

  caf::invoke_message_result consume(caf::mailbox_element& x) override;

private:
  struct entry {
    std::type_index type;
    std::unique_ptr<horae::facet> ptr;
    message_filter filter; // the facet's `intercepts()`, asked once
  };

  void attach_impl(std::type_index type, std::unique_ptr<horae::facet> ptr);

  horae::facet* find_impl(std::type_index type) const noexcept;

  bool detach_impl(std::type_index type);

  /// Recomputes `interest_` after the facet list changed.
  void update_interest();

  std::string missing_facet_message(const char* type_name) const;

  void run_deactivate_hooks();

  void run_detach_hooks();

  /// `consume` for a message its type token does not settle: a single value
  /// of a user-defined type (maybe a control message) or a message the
  /// facets may want. Out of line, so that the common path stays short.
  caf::invoke_message_result consume_inspecting(caf::mailbox_element& x,
                                                caf::type_erased_tuple& content,
                                                uint32_t token);

  /// @param head the type of the message's only element, or
  ///             `message_filter::none()`.
  caf::invoke_message_result consume_with_facets(caf::mailbox_element& x,
                                                 caf::rtti_pair head);

  /// Runs the behaviour on `x` and tells a matched message from one that
  /// only CAF's default handler saw (CAF reports both as consumed).
  message_outcome
  consume_watching_default_handler(caf::mailbox_element& x,
                                   caf::invoke_message_result& result);

  /// Handles the registry's idle checks and deactivation requests, given
  /// the type of the message's only element; returns true if it was one.
  bool handle_control_message(const std::type_info& type);

  void schedule_idle_check(clock::duration delay);

  /// Records activity for idle deactivation.
  /// Inline: every message passes here, and an actor that does not track
  /// idleness must pay no call for it.
  void note_activity() {
    if (__builtin_expect(tracks_idle_, 0))
      stamp_activity();
  }

  void stamp_activity();

  horae::runtime* runtime_;
  std::vector<entry> facets_;

  /// The union of the facets' filters: a message none of them wants takes
  /// the same path as in an actor without facets.
  message_filter interest_ = message_filter::nothing();
  /// `interest_` wants only values of user-defined types: any other message
  /// skips the facets on its type token alone.
  bool token_decides_ = true;
  std::vector<std::unique_ptr<horae::facet>> retired_;
  std::optional<virtual_identity> identity_;
  vacate_hook vacate_;
  clock::time_point last_activity_;
  /// Counts detach operations, so that the after-message loop knows when
  /// it must check which facets are still attached.
  uint64_t detachments_ = 0;
  bool active_ = false;
  bool deactivated_ = false;
  bool tracks_idle_ = false;
  /// The default handler CAF would call for an unmatched message; CAF's
  /// slot holds a stand-in that sets `unmatched_` and forwards here.
  default_handler real_default_handler_;
  bool unmatched_ = false;
};

} // namespace horae
