// Fan-out/fan-in: split a batch over N workers and join the results, either
// in input order or tagged with each item's input position.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <caf/message.hpp>

#include <horae/core/actor_factory.hpp>
#include <horae/core/fwd.hpp>
#include <horae/patterns/atoms.hpp>

namespace horae {

/// How joined results are ordered.
enum class fan_in_order {
  /// `results[i]` belongs to `items[i]`.
  preserve,
  /// Results in completion order; `index[i]` names the input position.
  tagged,
};

/// Options of `spawn_fan_out`.
struct fan_out_options {
  /// Number of workers; items are spread over them round-robin. >= 1.
  size_t workers = 4;
  /// Behaviour of each worker; it receives one item and answers it.
  actor_factory worker;
  /// Order of the joined results.
  fan_in_order order = fan_in_order::preserve;
};

/// A batch of work items: the request to a fan-out actor.
struct fan_out_batch {
  /// The items, each handed to one worker as its message.
  std::vector<caf::message> items;
};

/// The joined answer to a `fan_out_batch`.
struct fan_in_result {
  /// One response per item.
  std::vector<caf::message> results;
  /// Input position of each result (`0, 1, ...` under `preserve`).
  std::vector<uint64_t> index;
};

/// Spawns a fan-out/fan-in actor.
///
/// Protocol:
/// - `fan_out_batch` -> `fan_in_result`, or the first item error (the rest
///   of the batch is abandoned: fail fast), or `errc::cancelled`.
/// - `cancel_atom` -> `uint64_t`: answers every unfinished batch with
///   `errc::cancelled`; late worker responses are discarded.
/// @returns the actor, or `errc::invalid_argument` for zero workers or a
///          missing worker behaviour.
caf::expected<caf::actor> spawn_fan_out(runtime& rt, fan_out_options options);

/// Checks `options` as `spawn_fan_out` does.
caf::error validate(const fan_out_options& options);

} // namespace horae

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::fan_out_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::fan_in_result)
