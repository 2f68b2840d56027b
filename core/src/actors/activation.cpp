// Activation, parking and deactivation of virtual actors: the registry's
// side of the protocol described in virtual_actor_registry.hpp.
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/spawn_options.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/detail/control_messages.hpp>
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>
#include <horae/core/virtual_actor_registry.hpp>

#include "actors/activation_cell.hpp"
#include "actors/defined_type.hpp"
#include "actors/function_actor.hpp"
#include <spdlog/spdlog.h>

namespace horae {

void virtual_actor_registry::activate(const type_ptr& type,
                                      const std::string& key, slot& s) {
  auto k = slot_key(type->name, key);
  auto incarnation = ++history_[k];
  activations_->add();
  virtual_identity identity{type->name, key, incarnation,
                            *type->options.idle_timeout};
  std::weak_ptr<virtual_actor_registry> weak = shared_from_this();
  // The activation's only way back into the registry: asking to vacate its
  // own slot.
  vacate_hook vacate
    = [weak, name = type->name, key, incarnation](actor& self) {
        auto registry = weak.lock();
        return !registry || registry->try_vacate(name, key, incarnation, self);
      };
  // lazy_init: the actor cannot run (and thus cannot terminate) before it
  // gets its first message, so attaching the termination hook below cannot
  // call back into this locked registry.
  auto handle = owner_->system().spawn<detail::function_actor, caf::lazy_init>(
    type, std::move(identity), std::move(vacate));
  s.handle = handle;
  s.incarnation = incarnation;
  s.state = slot_state::active;
  s.cell = cell_for(k);
  s.cell->open(handle);
  handle->attach_functor([weak, name = type->name, key, incarnation] {
    if (auto registry = weak.lock())
      registry->on_terminated(name, key, incarnation);
  });
}

caf::expected<virtual_actor_registry::slot*>
virtual_actor_registry::find_or_activate(const std::string& type,
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
    if (gate_)
      if (auto err = gate_(type, key))
        return err;
    i = slots_.emplace(k, slot{}).first;
    activate(t->second, key, i->second);
  }
  return &i->second;
}

caf::error virtual_actor_registry::deliver(const std::string& type,
                                           const std::string& key,
                                           caf::strong_actor_ptr sender,
                                           caf::message msg) {
  return deliver(type, key,
                 caf::make_mailbox_element(std::move(sender),
                                           caf::make_message_id(), {},
                                           std::move(msg)));
}

caf::error
virtual_actor_registry::enqueue_locally(const std::string& type,
                                        const std::string& key,
                                        caf::mailbox_element_ptr& element) {
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

caf::error virtual_actor_registry::deliver(const std::string& type,
                                           const std::string& key,
                                           caf::mailbox_element_ptr element) {
  if (!element)
    return make_error(errc::invalid_argument,
                      "no message to deliver to " + type + "/" + key);
  remote_delivery remote;
  {
    // The element is built outside the lock; it is the same element
    // whether it is enqueued or parked.
    std::lock_guard<std::mutex> guard{mtx_};
    auto err = enqueue_locally(type, key, element);
    if (!err || code_of(err) != errc::not_owner || !remote_)
      return err;
    remote = remote_;
  }
  // Placed on another node: outside the lock, the carrier may block
  // briefly or call back into the registry.
  return remote(type, key, std::move(element));
}

caf::error virtual_actor_registry::deliver_local(const std::string& type,
                                                 const std::string& key,
                                                 caf::strong_actor_ptr sender,
                                                 caf::message msg) {
  auto element = caf::make_mailbox_element(
    std::move(sender), caf::make_message_id(), {}, std::move(msg));
  std::lock_guard<std::mutex> guard{mtx_};
  return enqueue_locally(type, key, element);
}

caf::expected<caf::actor>
virtual_actor_registry::resolve(const std::string& type,
                                const std::string& key) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto found = find_or_activate(type, key);
  if (!found)
    return found.error();
  return (*found)->handle;
}

void virtual_actor_registry::request_deactivation(const std::string& type,
                                                  const std::string& key) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(slot_key(type, key));
  if (i == slots_.end() || i->second.state != slot_state::active)
    return;
  i->second.handle->enqueue(
    nullptr, caf::make_message_id(),
    caf::make_message(detail::deactivate_request{i->second.incarnation}),
    nullptr);
}

void virtual_actor_registry::set_activation_gate(activation_gate gate) {
  std::lock_guard<std::mutex> guard{mtx_};
  gate_ = std::move(gate);
}

void virtual_actor_registry::set_remote_delivery(remote_delivery fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  remote_ = std::move(fn);
}

void virtual_actor_registry::request_deactivation_where(
  const std::function<bool(const std::string&, const std::string&)>& pred) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& [k, s] : slots_) {
    if (s.state != slot_state::active)
      continue;
    // The slot key is the type, a zero byte, and the key.
    auto split = k.find('\0');
    if (!pred(k.substr(0, split), k.substr(split + 1)))
      continue;
    s.handle->enqueue(
      nullptr, caf::make_message_id(),
      caf::make_message(detail::deactivate_request{s.incarnation}), nullptr);
  }
}

bool virtual_actor_registry::try_vacate(const std::string& type,
                                        const std::string& key,
                                        uint64_t incarnation, actor& self) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = slots_.find(slot_key(type, key));
  if (i == slots_.end() || i->second.incarnation != incarnation)
    return true;
  // Only this actor takes from its mailbox, and it is the caller: a
  // message seen now stays, and the vacate would fail anyway. Asking before
  // the close spares a busy actor the close's process-wide barrier.
  if (!self.mailbox().empty())
    return false;
  // Closed first: a reference's send either finished its enqueue before
  // the check below sees the mailbox, or finds the door closed and parks
  // under this lock.
  i->second.cell->close();
  if (!self.mailbox().empty()) {
    // After a shutdown the door stays shut: references' sends learn
    // `closed` instead of reaching an actor whose exit is queued.
    if (!closed_)
      i->second.cell->reopen();
    return false;
  }
  i->second.state = slot_state::vacating;
  return true;
}

void virtual_actor_registry::on_terminated(const std::string& type,
                                           const std::string& key,
                                           uint64_t incarnation) {
  deactivations_->add();
  std::vector<caf::mailbox_element_ptr> parked;
  remote_delivery remote;
  caf::error refused;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = slots_.find(slot_key(type, key));
    if (i == slots_.end() || i->second.incarnation != incarnation)
      return;
    // Also after a termination without a vacate (an actor that failed):
    // from here on, references' sends come through this lock.
    i->second.cell->clear();
    parked = std::move(i->second.parked);
    auto t = types_.find(type);
    if (parked.empty() || closed_ || t == types_.end()) {
      slots_.erase(i);
      return;
    }
    // The gate decides a reactivation as it decides any activation: after
    // the key moved to another node, its parked messages follow it there
    // instead of starting a second activation here.
    if (gate_)
      refused = gate_(type, key);
    if (!refused) {
      activate(t->second, key, i->second);
      for (auto& element : parked)
        i->second.handle->enqueue(std::move(element), nullptr);
      return;
    }
    slots_.erase(i);
    remote = remote_;
  }
  for (auto& element : parked) {
    auto err = remote ? remote(type, key, std::move(element)) : refused;
    if (err)
      logging::logger("core")->warn("a message parked for {}/{} during its "
                                    "deactivation is dropped: {}",
                                    type, key, describe(err));
  }
}

void virtual_actor_registry::shutdown() {
  std::vector<caf::actor> handles;
  std::vector<detail::activation_cell*> cells;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
    for (auto& [k, s] : slots_) {
      cells.push_back(s.cell.get());
      handles.push_back(s.handle);
      s.parked.clear();
    }
    // References' sends now learn `closed`. One barrier for all doors.
    detail::activation_cell::close_all(cells);
  }
  for (auto& handle : handles)
    caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
}

} // namespace horae
