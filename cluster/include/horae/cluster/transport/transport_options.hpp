// Settings of the node-to-node transport: where this node's router listens,
// how fast a dead peer is noticed, how long a delivery may keep retrying,
// and which user message types may cross nodes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

namespace horae::cluster {

/// Configures `transport_module`. Defaults suit a LAN; tests shorten them.
struct transport_options {
  // -- member types -----------------------------------------------------------

  /// Registers one announced type with CAF.
  using announcement = std::function<void(caf::actor_system_config&)>;

  // -- identity and endpoint --------------------------------------------------

  /// This node's id, as the ownership view names it. Must not be empty.
  std::string node_id;

  /// Address the router is published on.
  std::string host = "127.0.0.1";

  /// Port the router is published on; 0 lets the OS pick one, which
  /// `router::port()` reports.
  uint16_t port = 0;

  // -- failure detection (CAF's BASP heartbeats) ------------------------------

  /// How often each connection sends a heartbeat. CAF 0.17 switches them
  /// off by default, which lets a frozen peer go unnoticed forever.
  caf::timespan heartbeat_interval = std::chrono::seconds{1};

  /// A connection silent for this long is closed and its proxies report
  /// `down`. Must exceed `heartbeat_interval`.
  caf::timespan connection_timeout = std::chrono::seconds{3};

  // -- delivery ---------------------------------------------------------------

  /// How long connecting to a peer's router may take.
  caf::timespan connect_timeout = std::chrono::seconds{2};

  /// How long a peer's router may take to confirm a forwarded message.
  caf::timespan forward_timeout = std::chrono::seconds{2};

  /// The pause before the first retry; it doubles per retry, up to 1 s.
  caf::timespan retry_delay = std::chrono::milliseconds{50};

  /// How many times one delivery is sent to an owner at most (each `moved`
  /// answer costs one). Waiting for a partition to get an owner, or for
  /// its owner to become reachable, costs none.
  uint32_t max_attempts = 5;

  /// How long one delivery may wait and retry in total. The default covers
  /// a failover at the default lease settings (at most TTL + renew
  /// interval, 12 s): a message for a dead node's partition waits in the
  /// sender's router until the successor holds it.
  caf::timespan delivery_deadline = std::chrono::seconds{15};

  // -- message types ----------------------------------------------------------

  /// Allows messages holding a `T` to cross nodes: registers `T` with CAF
  /// under `name`, the same on every node. `T` needs an `inspect` overload
  /// and default and copy constructors. Types CAF knows already (numbers,
  /// strings, atoms, ...) need no announcement.
  /// @returns `*this`, to chain announcements.
  template <class T>
  transport_options& announce(std::string name) {
    announced_names_.insert(name);
    announcements_.emplace_back(
      [name](caf::actor_system_config& cfg) { cfg.add_message_type<T>(name); });
    return *this;
  }

  /// @returns the registrations `announce` collected, in order.
  const std::vector<announcement>& announcements() const noexcept {
    return announcements_;
  }

  /// @returns the names given to `announce`.
  const std::set<std::string>& announced_names() const noexcept {
    return announced_names_;
  }

  /// Checks the values above.
  /// @returns `invalid_config` naming the first bad value, or no error.
  caf::error validate() const;

private:
  std::vector<announcement> announcements_;
  std::set<std::string> announced_names_;
};

} // namespace horae::cluster
