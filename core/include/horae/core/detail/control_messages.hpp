// Messages the runtime sends to horae actors for lifecycle management; the
// actor handles them in consume() and behaviours never see them.
#pragma once

#include <cstdint>

#include <caf/allowed_unsafe_message_type.hpp>

namespace horae::detail {

/// Asks a virtual actor to check whether its idle timeout has passed.
struct idle_check {
  uint64_t incarnation;
};

/// Asks a virtual actor to deactivate once its mailbox is empty.
struct deactivate_request {
  uint64_t incarnation;
};

} // namespace horae::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::idle_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::deactivate_request)
