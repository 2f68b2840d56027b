// virtual_ref forwards everything to the registry it came from.
#include <horae/core/virtual_actor_registry.hpp>
#include <horae/core/virtual_ref.hpp>

namespace horae {

virtual_ref::virtual_ref(std::shared_ptr<virtual_actor_registry> registry,
                         std::string type, std::string key)
  : registry_(std::move(registry)), type_(std::move(type)),
    key_(std::move(key)) {
  // nop
}

caf::error virtual_ref::deliver(caf::strong_actor_ptr sender,
                                caf::message msg) const {
  return registry_->deliver(type_, key_, std::move(sender), std::move(msg));
}

caf::error virtual_ref::deliver(caf::mailbox_element_ptr element) const {
  return registry_->deliver(type_, key_, std::move(element));
}

caf::expected<caf::actor> virtual_ref::resolve() const {
  return registry_->resolve(type_, key_);
}

void virtual_ref::deactivate() const {
  registry_->request_deactivation(type_, key_);
}

} // namespace horae
