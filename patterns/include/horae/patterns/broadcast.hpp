// Broadcast (pub/sub): every published message goes to every subscriber,
// with a per-subscriber bound and a policy for subscribers that fall behind.
#pragma once

#include <cstddef>
#include <cstdint>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include <horae/core/fwd.hpp>
#include <horae/patterns/atoms.hpp>

namespace horae {

/// What the broadcaster does when a subscriber already has `bound`
/// undelivered messages and another one is published.
enum class slow_subscriber_policy {
  /// Discard the new message for this subscriber.
  drop_newest,
  /// Discard the oldest buffered (not yet sent) message and keep the new one.
  drop_oldest,
  /// Remove the subscriber; it gets no further messages.
  unsubscribe,
};

/// Options of `spawn_broadcast`.
struct broadcast_options {
  /// Most undelivered messages per subscriber (sent but not yet handled,
  /// plus buffered). Must be at least 1.
  size_t bound = 64;
  /// Most messages sent to a subscriber before it handled earlier ones (its
  /// credit); the rest wait in the broadcaster. At least 1; capped at
  /// `bound`.
  /// @note 1 costs no throughput: a subscriber's acknowledgement sends its
  ///       next buffered message from the subscriber's own context, so it
  ///       keeps running without being scheduled again.
  size_t max_in_flight = 1;
  /// Policy once a subscriber has `bound` undelivered messages.
  slow_subscriber_policy policy = slow_subscriber_policy::drop_oldest;
};

/// Counters of one subscriber, answered to `stats_atom, caf::actor`.
struct subscriber_stats {
  /// Whether the actor is subscribed now.
  bool subscribed = false;
  /// Messages the subscriber handled.
  uint64_t delivered = 0;
  /// Messages sent and not yet handled.
  uint64_t in_flight = 0;
  /// Messages waiting in the broadcaster.
  uint64_t buffered = 0;
  /// Messages dropped for this subscriber (either drop policy).
  uint64_t dropped = 0;
};

/// Counters of a broadcaster, answered to `stats_atom`.
struct broadcast_stats {
  /// Current subscribers.
  uint64_t subscribers = 0;
  /// Messages published.
  uint64_t published = 0;
  /// Deliveries handled by subscribers (one per subscriber and message).
  uint64_t delivered = 0;
  /// Deliveries dropped under `drop_newest`.
  uint64_t dropped_newest = 0;
  /// Deliveries dropped under `drop_oldest`.
  uint64_t dropped_oldest = 0;
  /// Subscribers removed under `unsubscribe`.
  uint64_t evicted = 0;
  /// Deliveries discarded because the subscriber left or died.
  uint64_t discarded = 0;
};

/// Spawns a broadcaster.
///
/// Protocol:
/// - `subscribe_atom` / `subscribe_atom, caf::actor`: subscribes the sender
///   (or the given actor); answers `true` if it was new. Subscribers are
///   monitored and removed when they terminate.
/// - `unsubscribe_atom` / `unsubscribe_atom, caf::actor` -> `bool`.
/// - `stats_atom` -> `broadcast_stats`; `stats_atom, caf::actor` ->
///   `subscriber_stats`.
/// - any other message: published. Each subscriber receives it as a
///   request (its handler's return value is the acknowledgement that frees
///   room under the bound). A publishing request is answered with the
///   number of subscribers that got it sent or buffered (`uint64_t`).
///
/// Order: each subscriber sees the messages it receives in publication
/// order (dropped ones are skipped).
///
/// The handle has no mailbox, like a CAF group: every message is handled
/// in the sender's context when it is sent, so publishing fans out on the
/// publisher's thread and a sender's messages take effect in the order it
/// sent them.
/// @returns the broadcaster, or `errc::invalid_argument` for a zero bound
///          or a zero `max_in_flight`.
caf::expected<caf::actor> spawn_broadcast(runtime& rt,
                                          broadcast_options options = {});

/// Checks `options` as `spawn_broadcast` does.
caf::error validate(const broadcast_options& options);

} // namespace horae

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::broadcast_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::subscriber_stats)
