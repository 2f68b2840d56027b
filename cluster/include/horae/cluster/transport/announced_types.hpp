// The check that a message may cross nodes: CAF 0.17 only finds an unknown
// type when it serializes it, on the I/O thread, and then drops the message
// silently. This finds it at the send and says which element is at fault.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>

namespace horae::cluster {

/// Checks that every element of `msg` has a type that `sys` can serialize:
/// one of CAF's built-in types or one added with
/// `transport_options::announce` (or `add_message_type`).
/// @returns `invalid_argument` naming the first unannounced element, or no
///          error.
caf::error check_announced(const caf::actor_system& sys,
                           const caf::message& msg);

} // namespace horae::cluster
