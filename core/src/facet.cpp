// Default (no-op) facet hooks.
#include <horae/core/facet.hpp>

namespace horae {

facet::~facet() = default;

void facet::on_attach(actor&) {
  // nop
}

void facet::on_activate(actor&) {
  // nop
}

void facet::on_deactivate(actor&) {
  // nop
}

void facet::on_detach(actor&) {
  // nop
}

message_filter facet::intercepts() const {
  return message_filter::every();
}

intercept facet::before_message(actor&, const caf::type_erased_tuple&) {
  return intercept::proceed();
}

void facet::after_message(actor&, const caf::type_erased_tuple&,
                          message_outcome) {
  // nop
}

} // namespace horae
