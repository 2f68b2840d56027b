// Messages between the reminder dispatcher, the store's completions and the
// ReminderFacet. None of them reaches a behaviour.
#pragma once

#include <functional>
#include <optional>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>

#include <horae/facets/reminder_fired.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae::detail {

/// Dispatcher -> actor: a due reminder, wrapped so the facet can ack it.
struct reminder_delivery {
  reminder_key key;
  uint64_t delivery_id;
  reminder_fired fired;
  caf::actor dispatcher;
};

/// Facet -> dispatcher: the behaviour handled delivery `delivery_id`.
struct reminder_ack {
  reminder_key key;
  uint64_t delivery_id;
};

/// Store completion -> dispatcher: a registration is durable.
struct reminder_changed {
  reminder_record record;
};

/// Store completion -> dispatcher: a reminder was deleted.
struct reminder_removed {
  reminder_key key;
};

/// Store completion -> dispatcher: a fire was recorded (or failed to be).
struct fire_recorded {
  reminder_key key;
  uint64_t delivery_id;
  /// False if the row no longer had the delivered revision: something
  /// outside this runtime replaced or removed it.
  bool applied;
  caf::error error;
};

/// Store completion -> actor: runs the user's callback inside the actor.
struct reminder_callback {
  std::function<void()> fn;
};

} // namespace horae::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_delivery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_ack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_removed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::fire_recorded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_callback)
