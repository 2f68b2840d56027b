// The PostgreSQL reminder store: a writer connection that commits queued
// writes as one pipelined transaction per batch, and a mutex-guarded read
// connection.
#pragma once

#include <memory>
#include <mutex>
#include <set>

#include <horae/journaling/postgres_store.hpp>

#include "batching/group_commit_queue.hpp"
#include "batching/write_request.hpp"
#include "postgres/pg_session.hpp"

namespace horae::detail {

/// Implements `reminder_store` on a PostgreSQL database.
///
/// A commit costs a round trip and the server's WAL flush, whatever the
/// number of rows. The writer sends a whole batch (BEGIN, one statement
/// per request, COMMIT) as a single pipeline and then reads the results,
/// so a batch of a thousand rows costs about one round trip more than a
/// lone row. No statement fails on its request's precondition (an existing
/// key, a missing row, a changed revision): those come back as row counts,
/// so an error always means the transaction is lost, and then every
/// request of the batch fails. Nothing is acknowledged before COMMIT
/// returned.
class pg_store final : public reminder_store {
public:
  // -- constructors, destructors, and assignment operators --------------------

  pg_store(postgres_store_options opts, std::unique_ptr<pg_session> writer,
           std::unique_ptr<pg_session> reader, uint32_t partitions);

  ~pg_store() override;

  /// Starts the writer thread.
  void start() {
    writes_.start();
  }

  // -- reminder_store interface -----------------------------------------------

  void upsert_async(reminder_record rec, bool overwrite,
                    upsert_completion done) override;

  void remove_async(reminder_key key, completion done) override;

  void record_fire_async(reminder_key key, uint64_t revision,
                         uint64_t new_fire_count,
                         std::optional<clock::wall_time> next_due,
                         fire_outcome outcome, fire_completion done) override;

  caf::expected<std::optional<reminder_record>>
  get(const reminder_key& key) override;

  caf::expected<std::vector<reminder_record>>
  list(const std::string& actor_type, const std::string& actor_key) override;

  caf::expected<std::vector<reminder_record>> list_all(size_t limit,
                                                       size_t offset) override;

  caf::expected<std::vector<reminder_record>>
  due_after(const due_position& after, clock::wall_time limit,
            size_t max_rows) override;

  caf::expected<uint64_t> count() override;

  void close() override;

private:
  // -- writer thread ----------------------------------------------------------

  /// Commits one batch; retries it once on a fresh connection when the
  /// server dropped the old one before the transaction began (e.g. after a
  /// server restart), since then nothing of it can have been written.
  void run_batch(write_request* first, size_t n);

  /// One attempt. @returns whether the failure happened before BEGIN was
  /// acknowledged, i.e. nothing of the batch reached the database.
  bool try_batch(write_request* first, size_t n);

  /// The statement and parameters of one request; the parameters refer to
  /// the request's own strings.
  const char* statement_for(write_request& req, pg_params& params,
                            clock::wall_time now) const;

  /// Begins the transaction of a fenced batch: locks the lease rows of the
  /// batch's partitions and takes out (`not_owner`) every request whose
  /// partition this node does not hold under the epoch it expects.
  caf::error fence_batch(write_request* first, size_t n);

  caf::error not_owner(uint32_t partition) const;

  /// Reads one request's result into its outcome.
  void take_result(write_request& req, const pg_result& res);

  // -- reads ------------------------------------------------------------------

  /// Runs a multi-row query on the read connection and decodes the rows,
  /// skipping (and reporting once) rows that cannot be reminders.
  caf::expected<std::vector<reminder_record>>
  query(const char* sql, const pg_params& params, const char* what);

  /// Runs one read on the read connection (the caller holds the lock),
  /// once more on a new connection if the old one turned out dead.
  caf::expected<pg_result> read(const char* sql, const pg_params& params,
                                const char* what);

  caf::error closed_error() const;

  // -- member variables -------------------------------------------------------

  postgres_store_options opts_;

  const clock* clock_;

  /// The store's partition count (from the database).
  uint32_t partitions_;

  /// Owned by the writer thread once started.
  std::unique_ptr<pg_session> writer_db_;

  /// Guards the read connection (reset on close) and `reported_invalid_`.
  std::mutex reader_mtx_;
  std::unique_ptr<pg_session> reader_db_;
  std::set<reminder_key> reported_invalid_;

  /// Serializes `close` so that every caller returns after the flush.
  std::mutex close_mtx_;

  /// The queue and the writer thread; last, so it stops before the members
  /// the writer uses are destroyed.
  group_commit_queue writes_;
};

} // namespace horae::detail
