// The PostgreSQL implementation of reminder_store, for several processes or
// machines sharing one store: group commit on one writer connection, reads
// on another, reconnection with backoff.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/journaling/defaults.hpp>
#include <horae/journaling/partition.hpp>
#include <horae/journaling/reminder_store.hpp>

namespace horae {

/// Settings of `open_postgres_store`.
struct postgres_store_options {
  /// Where the server is: a libpq connection string ("host=... dbname=...")
  /// or URI ("postgresql://user@host:5432/db"). Settings given in it win
  /// over the timeouts below. Never logged: messages name the server by
  /// `describe_postgres_target`, which leaves the password out.
  std::string conninfo;

  /// Most write requests committed in one transaction.
  size_t max_batch = defaults::postgres::max_batch;

  /// How long opening one connection may take.
  std::chrono::milliseconds connect_timeout
    = defaults::postgres::connect_timeout;

  /// How long one statement may run; zero for no limit.
  std::chrono::milliseconds statement_timeout
    = defaults::postgres::statement_timeout;

  /// How long opening the store retries a server that refuses connections
  /// before it fails. Wrong credentials or a missing database fail at once.
  std::chrono::milliseconds startup_wait = defaults::postgres::startup_wait;

  /// First pause before reconnecting after a lost connection (doubling).
  std::chrono::milliseconds reconnect_delay
    = defaults::postgres::reconnect_delay;

  /// Longest pause between reconnection attempts.
  std::chrono::milliseconds max_reconnect_delay
    = defaults::postgres::max_reconnect_delay;

  /// Opens without write access (admin tools): no migration runs, the
  /// schema must be current, and writes fail with `storage_failure`.
  bool read_only = false;

  /// Refuses (`not_found`) a database without a horae store instead of
  /// creating one, e.g. for an admin tool given a wrong database.
  bool must_exist = false;

  /// Source of the `created` and `updated` timestamps; the system clock if
  /// null. Must outlive the store.
  const clock* time_source = nullptr;

  /// Told once per row that cannot be a reminder (hand edits); such rows
  /// are skipped by `due_after`, `list` and `list_all`; `get` reports them
  /// as `storage_corrupt`. Runs on the reading thread.
  std::function<void(const reminder_key&, const caf::error&)> on_invalid_row;

  /// Called on the writer thread after each batch: its size and how long it
  /// took up to the end of its COMMIT. Must be cheap and thread-safe.
  std::function<void(size_t, clock::duration)> on_commit;

  // -- cluster mode -----------------------------------------------------------

  /// Partitions of the store (see `partition_of`): fixed when the store is
  /// created (`default_partitions` for 0); a different non-zero value
  /// afterwards is refused.
  uint32_t partitions = 0;

  /// This node, as the lease table names owners; required with `fence`.
  std::string node_id;

  /// This node's incarnation (grows at every start of `node_id`).
  uint64_t incarnation = 0;

  /// Fencing: the epoch under which this node holds a partition now, or
  /// none if it does not (or may no longer act on it). When set, every
  /// write checks in its own transaction, under a share lock of the lease
  /// row, that `node_id`/`incarnation` still own the partition with that
  /// epoch; a write for a partition not held, or held by someone else by
  /// then, fails with `not_owner` and changes nothing. Called on the writer
  /// thread; must be thread-safe.
  std::function<std::optional<uint64_t>(uint32_t)> fence;

  /// Partitions whose reminders `due_after` returns; all when unset. Called
  /// on the reading thread; must be thread-safe.
  std::function<std::vector<uint32_t>()> held_partitions;
};

/// @returns whether `target` names a PostgreSQL server (a `postgresql://`
///          or `postgres://` URI, or a conninfo string with `key=value`
///          pairs) rather than a file path.
bool is_postgres_target(const std::string& target);

/// @returns `target` as messages show it: user, host, port and database,
///          never the password; or a note that it does not parse.
std::string describe_postgres_target(const std::string& target);

/// The version of the newest schema this build knows; `open_postgres_store`
/// migrates older stores up to it.
int postgres_store_schema_version() noexcept;

/// Connects (waiting up to `startup_wait` for a server that is not up yet),
/// creates or migrates the schema, and starts the writer.
/// @returns the store, or `invalid_argument` (bad options, or a database
///          holding tables of another program), `not_found` (no store and
///          `must_exist`), `storage_corrupt` (a schema newer than this
///          build) or `storage_failure` (cannot connect or authenticate).
///          Each error names the server.
caf::expected<std::unique_ptr<reminder_store>>
open_postgres_store(postgres_store_options opts);

} // namespace horae
