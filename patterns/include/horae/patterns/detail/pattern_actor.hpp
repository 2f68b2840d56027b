// Set-up shared by every pattern actor.
#pragma once

#include <caf/error.hpp>
#include <caf/scheduled_actor.hpp>

namespace horae::detail {

/// Keeps a pattern actor running when a client bounces one of its answers
/// (e.g. answers a plain send with an error): CAF's default error handler
/// would terminate the pattern, and with it every other client's work.
inline void survive_bounced_answers(caf::scheduled_actor* self) {
  self->set_error_handler([](caf::scheduled_actor*, caf::error&) {});
}

} // namespace horae::detail
