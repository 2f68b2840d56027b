// Activation, parking and deactivation of virtual actors.
#include "actors/registry_state.hpp"

#include <caf/actor_system.hpp>
#include <caf/spawn_options.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/detail/control_messages.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "actors/function_actor.hpp"

namespace horae::detail {

std::string registry_state::slot_key(const std::string& type,
                                     const std::string& key) {
  std::string result;
  result.reserve(type.size() + key.size() + 1);
  result += type;
  result += '\0';
  result += key;
  return result;
}

caf::error registry_state::define(actor_type type) {
  auto name = type.name;
  std::vector<std::function<void(const std::string&)>> listeners;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_)
      return make_error(errc::closed, "the runtime is shutting down");
    if (types_.count(name) > 0)
      return make_error(errc::already_exists,
                        "actor type '" + name + "' is already defined");
    types_.emplace(name, std::move(type));
    listeners = define_listeners_;
  }
  // Outside the lock: a listener may deliver to the new type at once.
  for (auto& fn : listeners)
    fn(name);
  return caf::none;
}

void registry_state::add_define_listener(
  std::function<void(const std::string&)> fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  define_listeners_.push_back(std::move(fn));
}

bool registry_state::defined(const std::string& type) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return types_.count(type) > 0;
}

caf::error registry_state::activate(const actor_type& type,
                                    const std::string& key, slot& s) {
  auto incarnation = ++history_[slot_key(type.name, key)];
  virtual_identity identity{type.name, key, incarnation, type.idle_timeout};
  // lazy_init: the actor cannot run (and thus cannot terminate) before it
  // gets its first message, so attaching the termination hook below cannot
  // call back into this locked registry.
  auto handle = owner_->system().spawn<function_actor, caf::lazy_init>(
    type.factory, type.facets, type.facet_settings, std::move(identity));
  s.handle = handle;
  s.incarnation = incarnation;
  s.state = slot_state::active;
  std::weak_ptr<registry_state> weak = shared_from_this();
  auto type_name = type.name;
  handle->attach_functor([weak, type_name, key, incarnation] {
    if (auto self = weak.lock())
      self->on_terminated(type_name, key, incarnation);
  });
  return caf::none;
}

caf::expected<registry_state::slot*>
registry_state::find_or_activate(const std::string& type,
                                 const std::string& key) {
  if (closed_)
    return make_error(errc::closed, "the runtime is shutting down; " + type
                                      + "/" + key + " not reached");
  auto k = slot_key(type, key);
  auto i = slots_.find(k);
  if (i == slots_.end()) {
    // Only an activation needs the type; a live slot implies it exists.
    auto t = types_.find(type);
    if (t == types_.end())
      return make_error(errc::not_found,
                        "actor type '" + type + "' is not defined");
    i = slots_.emplace(k, slot{}).first;
    if (auto err = activate(t->second, key, i->second)) {
      slots_.erase(i);
      return err;
    }
  }
  return &i->second;
}

caf::error registry_state::deliver(const std::string& type,
                                   const std::string& key,
                                   caf::strong_actor_ptr sender,
                                   caf::message msg) {
  // Built outside the lock; it is the same element whether it is enqueued
  // or parked.
  auto element = caf::make_mailbox_element(
    std::move(sender), caf::make_message_id(), {}, std::move(msg));
  std::lock_guard<std::mutex> guard{mtx_};
  auto found = find_or_activate(type, key);
  if (!found)
    return found.error();
  auto& s = **found;
  if (s.state == slot_state::vacating) {
    s.parked.push_back(std::move(element));
    return caf::none;
  }
  // Enqueue under the lock: try_vacate checks the mailbox under the same
  // lock, so this message is either seen there or goes to the next
  // activation.
  s.handle->enqueue(std::move(element), nullptr);
  return caf::none;
}

caf::expected<caf::actor> registry_state::resolve(const std::string& type,
                                                  const std::string& key) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto found = find_or_activate(type, key);
  if (!found)
    return found.error();
  return (*found)->handle;
}

void registry_state::request_deactivation(const std::string& type,
                                          const std::string& key) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(slot_key(type, key));
  if (i == slots_.end() || i->second.state != slot_state::active)
    return;
  i->second.handle->enqueue(
    nullptr, caf::make_message_id(),
    caf::make_message(deactivate_request{i->second.incarnation}), nullptr);
}

bool registry_state::try_vacate(actor& self) {
  const auto& id = self.identity();
  if (!id)
    return true;
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(slot_key(id->type, id->key));
  if (i == slots_.end() || i->second.incarnation != id->incarnation)
    return true;
  if (!self.mailbox().empty())
    return false;
  i->second.state = slot_state::vacating;
  return true;
}

void registry_state::on_terminated(const std::string& type,
                                   const std::string& key,
                                   uint64_t incarnation) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(slot_key(type, key));
  if (i == slots_.end() || i->second.incarnation != incarnation)
    return;
  auto parked = std::move(i->second.parked);
  auto t = types_.find(type);
  if (parked.empty() || closed_ || t == types_.end()) {
    slots_.erase(i);
    return;
  }
  if (auto err = activate(t->second, key, i->second)) {
    slots_.erase(i);
    return;
  }
  for (auto& element : parked)
    i->second.handle->enqueue(std::move(element), nullptr);
}

void registry_state::shutdown() {
  std::vector<caf::actor> handles;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
    for (auto& [k, s] : slots_) {
      handles.push_back(s.handle);
      s.parked.clear();
    }
  }
  for (auto& handle : handles)
    caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
}

size_t registry_state::active_count() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return slots_.size();
}

uint64_t registry_state::incarnations(const std::string& type,
                                      const std::string& key) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = history_.find(slot_key(type, key));
  return i == history_.end() ? 0 : i->second;
}

} // namespace horae::detail
