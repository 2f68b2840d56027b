// horae's error codes. Every API that can fail on user input returns one of
// these inside a caf::error (category "horae") with a sentence of context.
#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace horae {

/// Error codes of horae; the category atom is `error_category`.
enum class errc : uint8_t {
  /// Not an error.
  none = 0,
  /// An argument was malformed: empty name, negative duration, ...
  invalid_argument,
  /// A duration or count exceeds what the component supports.
  out_of_range,
  /// A configured limit (timers per actor, queue bound, ...) was reached.
  limit_reached,
  /// A named entity (timer, reminder, actor type) does not exist.
  not_found,
  /// A named entity exists and the caller asked not to overwrite it.
  already_exists,
  /// An actor used a facet it did not attach.
  facet_not_attached,
  /// The configuration is invalid; the context names file, key and form.
  invalid_config,
  /// Persistent storage failed (I/O, full disk, locked, read-only).
  storage_failure,
  /// Persistent storage holds data this version cannot read.
  storage_corrupt,
  /// The component was stopped or closed and accepts no more work.
  closed,
  /// The operation did not complete in time.
  timeout,
  /// The operation was cancelled by its owner.
  cancelled,
  /// A bounded queue was full and the policy rejects new work.
  backpressure,
  /// In a cluster, this node does not hold the partition the work belongs
  /// to (any more): the write was fenced, the message must go elsewhere.
  not_owner,
};

/// The atom every horae error carries as its category.
constexpr caf::atom_value error_category = caf::atom("horae");

/// Returns the enumerator's name, e.g. "invalid_argument".
const char* to_string(errc code) noexcept;

/// Creates an error of category "horae" with a human-readable context.
caf::error make_error(errc code, std::string context);

/// Creates an error of category "horae" without context.
caf::error make_error(errc code);

/// Returns the horae code of `err`, or `errc::none` for other categories.
errc code_of(const caf::error& err) noexcept;

/// Renders any error as "horae.<code>: <context>", without needing an actor
/// system (CAF's own rendering needs one for custom categories).
std::string describe(const caf::error& err);

} // namespace horae
