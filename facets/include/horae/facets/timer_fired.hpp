// The message a TimerFacet timer delivers to the behaviour (unless the timer
// carries a payload of its own).
#pragma once

#include <cstdint>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Delivered when a timer fires.
struct timer_fired {
  /// The timer's name.
  std::string name;
  /// The tick this fire stands for, counting from 1. With coalescing, the
  /// next fire's `seq` is `seq + coalesced + 1`.
  uint64_t seq = 0;
  /// When the tick was due.
  clock::time_point scheduled;
  /// When the timer service fired it.
  clock::time_point actual;
  /// Later ticks of a periodic timer that fell due while this fire waited in
  /// the mailbox and are folded into it.
  uint64_t coalesced = 0;
};

} // namespace horae

// Local-only message: timers never cross a node boundary.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::timer_fired)
