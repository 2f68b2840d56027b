// The partition lease table of a PostgreSQL store: which node owns which
// partition, under which epoch, until when (by the database's clock). The
// cluster's lease manager drives it; the store's fenced writes check it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/journaling/postgres_store.hpp>

namespace horae {

/// A partition this node holds, with the epoch that fences its writes.
struct lease_grant {
  uint32_t partition = 0;
  uint64_t epoch = 0;
};

/// A node whose registration has not expired.
struct live_node {
  std::string node_id;
  uint64_t incarnation = 0;
  /// Where its message router listens (host:port).
  std::string endpoint;
  /// When its registration expires, in ms since 1970 by the database's
  /// clock: it changes at every renewal.
  int64_t expires_ms = 0;
};

/// The current holder of a partition.
struct lease_owner {
  uint32_t partition = 0;
  std::string node_id;
  std::string endpoint;
  uint64_t epoch = 0;
};

/// One node's connection to the lease table. Every operation is one
/// statement (one round trip), and every time is the database's, so nodes'
/// clocks never decide ownership. Not thread-safe: one owner thread.
class postgres_leases {
public:
  virtual ~postgres_leases();

  /// Connects (waiting `opts.startup_wait` for the server), migrating the
  /// store's schema if needed. `opts.node_id` names this node.
  static caf::expected<std::unique_ptr<postgres_leases>>
  open(const postgres_store_options& opts, std::string endpoint);

  /// @returns the store's partition count.
  virtual uint32_t partitions() const noexcept = 0;

  /// Registers this node under a new incarnation (1 for a new node id),
  /// live for `ttl`. @returns the incarnation.
  virtual caf::expected<uint64_t> register_node(std::chrono::milliseconds ttl)
    = 0;

  /// Extends this node's registration and every lease it holds that has
  /// not expired, by `ttl` from now.
  /// @returns the leases still held.
  virtual caf::expected<std::vector<lease_grant>>
  renew(std::chrono::milliseconds ttl) = 0;

  /// Takes those of `wanted` that are free or expired, each with its epoch
  /// raised by one: a compare-and-set per row, so among nodes claiming one
  /// partition exactly one wins. @returns the leases won.
  virtual caf::expected<std::vector<lease_grant>>
  claim(const std::vector<uint32_t>& wanted, std::chrono::milliseconds ttl) = 0;

  /// Gives up `partitions` at once (graceful handover), so that their next
  /// owner need not wait for the leases to expire.
  virtual caf::error release(const std::vector<uint32_t>& partitions) = 0;

  /// Ends this node's registration and releases every lease it holds.
  virtual caf::error leave() = 0;

  /// @returns the nodes whose registration has not expired, by id.
  virtual caf::expected<std::vector<live_node>> live_nodes() = 0;

  /// @returns every partition whose lease has not expired, with its owner.
  virtual caf::expected<std::vector<lease_owner>> owners() = 0;
};

} // namespace horae
