// Public face of the registry: validation, then the shared state.
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/core/runtime.hpp>
#include <horae/core/virtual_actor_registry.hpp>

#include "actors/registry_state.hpp"

namespace horae {

virtual_actor_registry::virtual_actor_registry(runtime& owner)
  : state_(std::make_shared<detail::registry_state>(owner)) {
  // nop
}

virtual_actor_registry::~virtual_actor_registry() = default;

caf::error virtual_actor_registry::define(std::string type,
                                          actor_factory factory,
                                          actor_type_options options) {
  if (auto err = check_name("actor type name", type))
    return err;
  if (!factory)
    return make_error(errc::invalid_argument,
                      "actor type '" + type + "' has no behaviour factory");
  detail::actor_type t;
  t.name = std::move(type);
  t.factory = std::move(factory);
  t.facets = std::move(options.facets);
  t.facet_settings = std::move(options.facet_settings);
  t.idle_timeout = options.idle_timeout.value_or(clock::duration::zero());
  if (t.idle_timeout < clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "actor type '" + t.name + "': negative idle timeout");
  return state_->define(std::move(t));
}

void virtual_actor_registry::shutdown() {
  state_->shutdown();
}

void virtual_actor_registry::on_define(define_listener fn) {
  state_->add_define_listener(std::move(fn));
}

caf::expected<virtual_ref>
virtual_actor_registry::ref(const std::string& type,
                            const std::string& key) const {
  if (auto err = check_name("virtual actor key", key))
    return make_error(code_of(err), describe(err) + " (type '"
                                      + quote_for_message(type) + "')");
  if (!state_->defined(type))
    return make_error(errc::not_found, "actor type '" + quote_for_message(type)
                                         + "' is not defined");
  return virtual_ref{state_, type, key};
}

caf::error virtual_actor_registry::deliver(const std::string& type,
                                           const std::string& key,
                                           caf::strong_actor_ptr sender,
                                           caf::message msg) const {
  return state_->deliver(type, key, std::move(sender), std::move(msg));
}

bool virtual_actor_registry::defined(const std::string& type) const {
  return state_->defined(type);
}

size_t virtual_actor_registry::active_count() const {
  return state_->active_count();
}

uint64_t virtual_actor_registry::incarnations(const std::string& type,
                                              const std::string& key) const {
  return state_->incarnations(type, key);
}

} // namespace horae
