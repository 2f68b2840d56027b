// Timing of partition leases: how long a lease lasts, how often it is
// renewed, and how much of it a node dares to use on its own clock.
#pragma once

#include <chrono>

namespace horae {

/// Settings of the lease manager (the horae.cluster options).
struct lease_settings {
  /// How long a lease lasts from its last renewal, by the database clock.
  std::chrono::milliseconds ttl{10000};

  /// Pause between two heartbeats (renewal, membership, claims).
  std::chrono::milliseconds renew_interval{2000};

  /// Part of the TTL a node gives up to its own clock running slow against
  /// the database's (drift) and to the renewal's travel time: it stops
  /// acting on a lease at `sent + ttl * (1 - drift) - margin`, before the
  /// lease can expire anywhere else.
  double drift = 0.01;
  std::chrono::milliseconds margin{200};
};

} // namespace horae
