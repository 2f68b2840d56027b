// Request with timeout on top of CAF's request/then: one callback, called
// exactly once, with CAF's timeout mapped to horae's `errc::timeout`.
#pragma once

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message.hpp>

#include <horae/core/clock.hpp>
#include <horae/patterns/detail/relay.hpp>

namespace horae {

/// Called with the response content or the error.
using response_callback = detail::relay_callback;

/// Sends `msg` to `dest` as a request with a deadline of `timeout`.
///
/// The deadline is CAF's own request timeout, so under a manual-time
/// runtime `runtime::advance` triggers it deterministically. `done` is
/// called exactly once, on `self`'s thread, with the response content, the
/// receiver's error, or `errc::timeout` naming the deadline (instead of
/// CAF's `sec::request_timeout`, so callers test one error category).
/// @returns `errc::invalid_argument` (and sends nothing) for a timeout that
///          is not positive or an invalid `dest`.
caf::error request_with_timeout(caf::event_based_actor* self,
                                const caf::actor& dest, clock::duration timeout,
                                caf::message msg, response_callback done);

/// @returns whether `err` is a deadline expiry, from horae or from CAF.
bool is_timeout(const caf::error& err) noexcept;

} // namespace horae
