// The message a due reminder delivers to its actor's behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Delivered when a reminder falls due. Delivery is at-least-once: after a
/// crash between delivery and bookkeeping, or after a failed attempt, the
/// same fire (same `count`) may arrive again; a behaviour that must not act
/// twice compares `count`.
struct reminder_fired {
  /// The reminder's name.
  std::string name;
  /// The payload given at registration.
  std::vector<uint8_t> payload;
  /// How many fires of this reminder were delivered, this one included.
  uint64_t count = 0;
  /// Wall-clock time the fire was due.
  clock::wall_time scheduled;
  /// Wall-clock time it was delivered.
  clock::wall_time actual;
  /// Ticks folded into this fire because they were missed (policy
  /// `fire_once`) while the process was down or busy.
  uint64_t missed = 0;
  /// Delivery attempt of this fire: 1 at first, then one more after each
  /// failed delivery (no handler matched, the handler threw, or the
  /// activation ended first), as the reminder's failure policy allows.
  uint32_t attempt = 1;
};

} // namespace horae

// Local-only: reminders reach actors of the same node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::reminder_fired)
