// The SQLite reminder store: a writer thread that group-commits queued
// writes, and a mutex-guarded read connection.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <horae/journaling/sqlite_store.hpp>

#include "batching/group_commit_queue.hpp"
#include "batching/write_request.hpp"
#include "sqlite/connection.hpp"
#include "sqlite/file_identity.hpp"

namespace horae::detail {

/// Implements `reminder_store` on one SQLite file.
///
/// Durability costs one fsync per commit (WAL, synchronous=FULL), whatever
/// the number of rows. So the writer thread takes every request queued
/// while the previous commit was syncing and commits them together, in
/// transactions of at most `max_batch` (1,024) requests each: under
/// load, batches grow on their own, and an idle store still commits a lone
/// request immediately (no timer, no added latency). Requests fail
/// individually on their own preconditions; a failed BEGIN or COMMIT fails
/// the whole batch, so nothing is acknowledged that is not durable.
class sqlite_store final : public reminder_store {
public:
  // -- constructors, destructors, and assignment operators --------------------

  sqlite_store(sqlite_store_options opts,
               std::unique_ptr<sqlite_connection> writer_db,
               std::unique_ptr<sqlite_connection> reader_db,
               uint64_t last_revision);

  ~sqlite_store() override;

  /// Starts the writer thread; separate from the constructor so that a
  /// failing open never has a thread to stop.
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

  /// Runs `n` requests starting at `first` in one transaction and sets each
  /// request's outcome.
  void run_batch(write_request* first, size_t n);

  /// Continues revisions from the stored counter (inside the transaction).
  caf::error sync_last_revision();

  /// Applies one request inside the open transaction.
  /// @returns an error only if the whole transaction is lost.
  caf::error apply(write_request& req, clock::wall_time now);

  caf::error apply_upsert(write_request& req, clock::wall_time now);

  caf::error apply_remove(write_request& req);

  caf::error apply_fire(write_request& req, clock::wall_time now);

  /// Decides whether a statement error fails only its request or the batch.
  caf::error statement_failed(write_request& req, int rc, const char* what);

  // -- reads ------------------------------------------------------------------

  /// Runs a multi-row query on the read connection.
  template <class Bind>
  caf::expected<std::vector<reminder_record>> query(const char* sql,
                                                    const char* what, Bind bind,
                                                    size_t max_rows = SIZE_MAX);

  caf::expected<std::vector<reminder_record>>
  due_after_indexed(const due_position& after, clock::wall_time limit,
                    size_t max_rows);

  /// `due_after` over a damaged file: a full scan of what can be read.
  caf::expected<std::vector<reminder_record>>
  salvage_due_after(const due_position& after, clock::wall_time limit,
                    size_t max_rows, const caf::error& damage);

  /// Tells `on_invalid_row` about `key` the first time it is seen.
  void report_invalid(const reminder_key& key, const caf::error& err);

  caf::error closed_error() const;

  // -- member variables -------------------------------------------------------

  sqlite_store_options opts_;

  const clock* clock_;

  /// Owned by the writer thread once started.
  std::unique_ptr<sqlite_connection> writer_db_;

  /// Last revision handed out and last one made durable; only the writer
  /// thread touches them.
  uint64_t last_revision_;
  uint64_t durable_revision_;

  /// Guards the read connection, which is reset on close.
  /// The database file as opened: once the path names no file or another
  /// one, every write and read fails.
  file_identity identity_;
  caf::error check_file() const;

  std::mutex reader_mtx_;
  /// Invalid rows already reported (guarded by `reader_mtx_`).
  std::set<reminder_key> reported_invalid_;
  /// Whether `on_damage` was told (guarded by `reader_mtx_`).
  bool damage_reported_ = false;
  std::unique_ptr<sqlite_connection> reader_db_;

  /// Serializes `close` so that every caller returns after the flush.
  std::mutex close_mtx_;

  /// The queue and the writer thread; last, so it stops before the members
  /// the writer uses are destroyed.
  group_commit_queue writes_;
};

} // namespace horae::detail
