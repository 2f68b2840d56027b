// Forwards an arbitrary message as a request and hands back whatever the
// receiver answered, without the pattern knowing the answer's types.
#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/duration.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

namespace horae::detail {

/// Receives the answer of a relayed request: the response message, or the
/// error the receiver (or CAF) produced.
using relay_callback = std::function<void(caf::expected<caf::message>)>;

/// Sends `msg` to `dest` as a request from `self` and calls `done` exactly
/// once with the response content or the error.
///
/// CAF 0.17 cannot match "any response" in `then`; a response that matches
/// no handler arrives in the error handler as `sec::unexpected_response`
/// with the original content as context. The relay relies on exactly that,
/// so patterns stay type-agnostic like `caf::actor_pool`.
/// @param timeout CAF request timeout; `caf::infinite` for none.
void relay(caf::event_based_actor* self, const caf::actor& dest,
           caf::message msg, caf::duration timeout, relay_callback done);

} // namespace horae::detail
