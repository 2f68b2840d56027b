// virtual_ref forwards everything to the registry it came from.
#include <horae/core/virtual_actor_registry.hpp>
#include <horae/core/virtual_ref.hpp>

#include "actors/activation_cell.hpp"

namespace horae {

virtual_ref::virtual_ref(std::shared_ptr<virtual_actor_registry> registry,
                         std::string type, std::string key,
                         std::shared_ptr<detail::activation_cell> cell)
  : registry_(std::move(registry)), type_(std::move(type)),
    key_(std::move(key)), cell_(std::move(cell)) {
  // nop
}

caf::error virtual_ref::deliver(caf::strong_actor_ptr sender,
                                caf::message msg) const {
  return deliver(caf::make_mailbox_element(
    std::move(sender), caf::make_message_id(), {}, std::move(msg)));
}

caf::error virtual_ref::deliver(caf::mailbox_element_ptr element) const {
  // A live activation takes the message without the registry's lock; the
  // registry handles everything else (activation, parking, placement).
  if (element && cell_ && cell_->try_enqueue(element))
    return caf::none;
  return registry_->deliver(type_, key_, std::move(element));
}

caf::expected<caf::actor> virtual_ref::resolve() const {
  return registry_->resolve(type_, key_);
}

void virtual_ref::deactivate() const {
  registry_->request_deactivation(type_, key_);
}

} // namespace horae
