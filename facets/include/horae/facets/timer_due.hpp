// The raw message the timer service enqueues when a timer falls due. Facets
// translate it into what the behaviour sees (timer_fired or a user payload);
// behaviours never handle timer_due themselves.
#pragma once

#include <cstdint>

#include <caf/allowed_unsafe_message_type.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Delivered by the timer service to the actor that scheduled a timer.
struct timer_due {
  /// The value the scheduler passed to `timer_service::schedule`; identifies
  /// the timer and its generation inside the owning facet.
  uint64_t cookie;
  /// When the timer was due.
  clock::time_point scheduled;
  /// When the timer service actually fired it.
  clock::time_point fired;
};

} // namespace horae

// Local-only message: timers never cross a node boundary.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::timer_due)
