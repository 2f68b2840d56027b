// What the behaviour made of a message, as the facets that saw it learn in
// `after_message`.
#pragma once

#include <string_view>

namespace horae {

/// How the behaviour dealt with a message that passed a facet.
enum class message_outcome {
  /// A handler of the behaviour matched it and returned normally.
  handled,
  /// A handler returned `caf::skip`: the message stays in the mailbox and is
  /// offered to the behaviour again after its next `become`, when the facets
  /// see it again.
  skipped,
  /// No handler matched (the actor's default handler got it), or CAF dropped
  /// it before the behaviour, e.g. a stale response.
  unhandled,
  /// A handler threw. The actor's exception handler runs next; by default it
  /// terminates the actor.
  threw,
};

/// @returns the outcome's name, e.g. "unhandled".
std::string_view to_string(message_outcome x) noexcept;

} // namespace horae
