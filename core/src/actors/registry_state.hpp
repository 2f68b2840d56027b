// The shared state behind virtual_actor_registry, virtual_ref and the
// actors' deactivation protocol.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/mailbox_element.hpp>

#include <horae/core/actor_factory.hpp>
#include <horae/core/clock.hpp>
#include <horae/core/fwd.hpp>

namespace horae::detail {

/// A defined actor type with everything needed to activate it.
struct actor_type {
  std::string name;
  actor_factory factory;
  std::vector<std::string> facets;
  caf::settings facet_settings;
  clock::duration idle_timeout{0};
};

class registry_state : public std::enable_shared_from_this<registry_state> {
public:
  explicit registry_state(runtime& owner) : owner_(&owner) {
    // nop
  }

  caf::error define(actor_type type);

  void add_define_listener(std::function<void(const std::string&)> fn);

  bool defined(const std::string& type) const;

  /// Delivers `msg` to (type, key), activating it or parking the message.
  caf::error deliver(const std::string& type, const std::string& key,
                     caf::strong_actor_ptr sender, caf::message msg);

  caf::expected<caf::actor> resolve(const std::string& type,
                                    const std::string& key);

  void request_deactivation(const std::string& type, const std::string& key);

  /// Called by an activation from its own thread: succeeds only if `self`'s
  /// mailbox is empty, and from then on parks new messages.
  bool try_vacate(actor& self);

  /// Called when activation `incarnation` of (type, key) has terminated.
  void on_terminated(const std::string& type, const std::string& key,
                     uint64_t incarnation);

  void shutdown();

  size_t active_count() const;

  uint64_t incarnations(const std::string& type, const std::string& key) const;

private:
  enum class slot_state { active, vacating };

  struct slot {
    caf::actor handle;
    uint64_t incarnation = 0;
    slot_state state = slot_state::active;
    std::vector<caf::mailbox_element_ptr> parked;
  };

  static std::string slot_key(const std::string& type, const std::string& key);

  /// Finds the slot of (type, key), activating it if needed. Requires
  /// `mtx_`.
  caf::expected<slot*> find_or_activate(const std::string& type,
                                        const std::string& key);

  /// Spawns a new activation into `s`. Requires `mtx_`.
  caf::error activate(const actor_type& type, const std::string& key, slot& s);

  runtime* owner_;
  mutable std::mutex mtx_;
  bool closed_ = false;
  std::map<std::string, actor_type> types_;
  std::vector<std::function<void(const std::string&)>> define_listeners_;
  std::unordered_map<std::string, slot> slots_;
  std::unordered_map<std::string, uint64_t> history_;
};

} // namespace horae::detail
