// Messages between the reminder dispatcher, the store's completions, the
// registry and the ReminderFacet. None of them reaches a behaviour.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>

#include <horae/core/message_outcome.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae::detail {

/// Dispatcher -> actor: a due reminder, wrapped so the facet can report on
/// it. `fire_id` names one fire across all its delivery attempts.
struct reminder_delivery {
  reminder_key key;
  uint64_t fire_id;
  reminder_fired fired;
  caf::actor dispatcher;
};

/// Facet -> dispatcher: fire `fire_id` reached the behaviour of `handler`;
/// from now on only its outcome or the end of `handler` decides.
struct reminder_received {
  reminder_key key;
  uint64_t fire_id;
  caf::actor_addr handler;
};

/// Facet -> dispatcher: what the behaviour made of fire `fire_id`.
struct reminder_ack {
  reminder_key key;
  uint64_t fire_id;
  message_outcome outcome;
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
  uint64_t fire_id;
  /// False if the row no longer had the delivered revision: something
  /// outside this runtime replaced or removed it.
  bool applied;
  caf::error error;
};

/// Registry -> dispatcher: actor type `type` was just defined.
struct type_defined {
  std::string type;
};

/// Store completion -> actor: runs the user's callback inside the actor.
/// The set of partitions this node holds changed (cluster mode).
using ownership_changed_atom = caf::atom_constant<caf::atom("ownchg")>;

struct reminder_callback {
  std::function<void()> fn;
};

} // namespace horae::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_delivery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_received)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_ack)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_removed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::fire_recorded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::type_defined)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::detail::reminder_callback)
