// The write side of the SQLite store: queueing, the writer thread and group
// commit.
#include <algorithm>

#include <horae/core/error.hpp>

#include "sqlite/row_codec.hpp"
#include "sqlite/sqlite_store_impl.hpp"
#include "sqlite/statements.hpp"

namespace horae::detail {

// -- constructors, destructors, and assignment operators ----------------------

sqlite_store::sqlite_store(sqlite_store_options opts,
                           std::unique_ptr<sqlite_connection> writer_db,
                           std::unique_ptr<sqlite_connection> reader_db,
                           uint64_t last_revision)
  : opts_(std::move(opts)), clock_(opts_.time_source),
    writer_db_(std::move(writer_db)), last_revision_(last_revision),
    durable_revision_(last_revision), identity_(file_identity::of(opts_.path)),
    reader_db_(std::move(reader_db)),
    writes_(
      opts_.max_batch,
      [this](write_request* first, size_t n) { run_batch(first, n); },
      opts_.on_commit, [this] { return closed_error(); }) {
  // nop
}

caf::error sqlite_store::check_file() const {
  return identity_.check(opts_.path);
}

sqlite_store::~sqlite_store() {
  close();
}

// -- asynchronous writes ------------------------------------------------------

void sqlite_store::upsert_async(reminder_record rec, bool overwrite,
                                upsert_completion done) {
  writes_.submit(
    write_request::upsert(std::move(rec), overwrite, std::move(done)));
}

void sqlite_store::remove_async(reminder_key key, completion done) {
  writes_.submit(write_request::remove(std::move(key), std::move(done)));
}

void sqlite_store::record_fire_async(reminder_key key, uint64_t revision,
                                     uint64_t new_fire_count,
                                     std::optional<clock::wall_time> next_due,
                                     fire_outcome outcome,
                                     fire_completion done) {
  writes_.submit(write_request::fire(std::move(key), revision, new_fire_count,
                                     next_due, outcome, std::move(done)));
}

// -- writer thread ------------------------------------------------------------

void sqlite_store::run_batch(write_request* first, size_t n) {
  auto last = first + n;
  auto fail_all = [&](const caf::error& err) {
    writer_db_->rollback();
    for (auto i = first; i != last; ++i)
      if (!i->invalid)
        i->err = err;
  };
  if (std::all_of(first, last,
                  [](const write_request& x) { return x.invalid; }))
    return;
  // IMMEDIATE: take the write lock now, so a lock held by another process
  // fails the batch up front (after busy_timeout) instead of mid-way.
  if (auto err = writer_db_->run(sql::begin_immediate))
    return fail_all(err);
  // Under the write lock, before anything is written: never acknowledge a
  // write into a deleted file, nor write into another store's log.
  if (auto err = check_file())
    return fail_all(err);
  // Only upserts take revisions; the steady stream of fire records does not
  // need the stored counter.
  auto takes_revisions = std::any_of(first, last, [](const write_request& x) {
    return !x.invalid && x.type == write_request::kind::upsert;
  });
  if (takes_revisions)
    if (auto err = sync_last_revision())
      return fail_all(err);
  auto now = clock_->wall_now();
  for (auto i = first; i != last; ++i)
    if (!i->invalid)
      if (auto err = apply(*i, now))
        return fail_all(err);
  if (last_revision_ != durable_revision_) {
    auto stmt = writer_db_->prepare(sql::update_last_revision);
    if (!stmt)
      return fail_all(stmt.error());
    statement_guard guard{*stmt};
    sqlite3_bind_int64(*stmt, 1, to_db(last_revision_));
    if (auto rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
      return fail_all(writer_db_->error(rc, "storing the last revision"));
  }
  if (auto err = writer_db_->run(sql::commit))
    return fail_all(err);
  durable_revision_ = last_revision_;
}

caf::error sqlite_store::sync_last_revision() {
  // Another process (the admin tool, a second runtime on the same file) may
  // have written since our last batch. Under the write lock the stored
  // counter is current, and continuing from it keeps revisions unique, so a
  // stale fire record can never match a newer registration.
  auto stmt = writer_db_->prepare(sql::select_last_revision);
  if (!stmt)
    return std::move(stmt.error());
  statement_guard guard{*stmt};
  if (auto rc = sqlite3_step(*stmt); rc != SQLITE_ROW)
    return writer_db_->error(rc, "reading the last revision");
  auto stored = static_cast<uint64_t>(sqlite3_column_int64(*stmt, 0));
  last_revision_ = std::max(last_revision_, stored);
  durable_revision_ = stored;
  return caf::none;
}

caf::error sqlite_store::apply(write_request& req, clock::wall_time now) {
  switch (req.type) {
    case write_request::kind::upsert:
      return apply_upsert(req, now);
    case write_request::kind::remove:
      return apply_remove(req);
    case write_request::kind::fire:
      return apply_fire(req, now);
  }
  return caf::none;
}

caf::error sqlite_store::apply_upsert(write_request& req,
                                      clock::wall_time now) {
  auto& rec = req.rec;
  rec.revision = ++last_revision_;
  rec.created = now;
  rec.updated = now;
  // One statement per request, whatever the outcome: a failing statement
  // is undone on its own by SQLite (statement journal), so a request that
  // fails its precondition leaves the rest of the batch intact without a
  // savepoint, and the common case (new row) costs a single B-tree descent.
  auto stmt = writer_db_->prepare(req.overwrite ? sql::upsert_record
                                                : sql::insert_record);
  if (!stmt)
    return stmt.error();
  statement_guard guard{*stmt};
  if (auto rc = bind_record(*stmt, rec); rc != SQLITE_OK)
    return statement_failed(req, rc, "binding a reminder");
  auto rc = sqlite3_step(*stmt);
  if (rc == SQLITE_ROW) {
    rec.created
      = clock::wall_time{clock::duration{sqlite3_column_int64(*stmt, 0)}};
    return caf::none;
  }
  if (rc == SQLITE_DONE)
    return caf::none;
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY && !req.overwrite
      && writer_db_->in_transaction()) {
    req.err = make_error(errc::already_exists,
                         "reminder " + to_string(rec.key)
                           + " already exists and overwrite is false");
    return caf::none;
  }
  return statement_failed(req, rc, "writing a reminder");
}

caf::error sqlite_store::apply_remove(write_request& req) {
  auto stmt = writer_db_->prepare(sql::delete_record);
  if (!stmt)
    return stmt.error();
  statement_guard guard{*stmt};
  if (auto rc = bind_key(*stmt, req.rec.key); rc != SQLITE_OK)
    return statement_failed(req, rc, "binding a reminder key");
  if (auto rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
    return statement_failed(req, rc, "deleting a reminder");
  if (sqlite3_changes(writer_db_->handle()) == 0)
    req.err = make_error(errc::not_found, "reminder " + to_string(req.rec.key)
                                            + " does not exist");
  return caf::none;
}

caf::error sqlite_store::apply_fire(write_request& req, clock::wall_time now) {
  auto stmt
    = writer_db_->prepare(req.next_due ? sql::record_fire : sql::finish_record);
  if (!stmt)
    return stmt.error();
  statement_guard guard{*stmt};
  auto rc = bind_key(*stmt, req.rec.key);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64(*stmt, 4, to_db(req.revision));
  if (rc == SQLITE_OK && req.next_due) {
    if ((rc = sqlite3_bind_int64(*stmt, 5, to_db(req.fire_count))) == SQLITE_OK
        && (rc = sqlite3_bind_int64(*stmt, 6, to_db(*req.next_due)))
             == SQLITE_OK
        && (rc = sqlite3_bind_int64(*stmt, 7, to_db(now))) == SQLITE_OK)
      rc = sqlite3_bind_int64(*stmt, 8, req.failed ? 1 : 0);
  }
  if (rc != SQLITE_OK)
    return statement_failed(req, rc, "binding a recorded fire");
  if (rc = sqlite3_step(*stmt); rc != SQLITE_DONE)
    return statement_failed(req, rc, "recording a fire");
  req.applied = sqlite3_changes(writer_db_->handle()) > 0;
  return caf::none;
}

caf::error sqlite_store::statement_failed(write_request& req, int rc,
                                          const char* what) {
  auto err = writer_db_->error(rc, what);
  switch (rc & 0xff) {
    // Storage-level failures: SQLite may have rolled back the transaction
    // on its own, and the next request would fail the same way.
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_INTERRUPT:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return err;
    default:
      break;
  }
  if (!writer_db_->in_transaction())
    return err;
  // A statement error such as SQLITE_TOOBIG undoes only that statement, and
  // each request writes with a single statement: the others stay intact.
  req.err = std::move(err);
  return caf::none;
}

// -- lifetime -----------------------------------------------------------------

void sqlite_store::close() {
  // From a completion, the writer drains and ends on its own; a later close
  // from another thread releases the connections.
  if (!writes_.stop())
    return;
  std::lock_guard<std::mutex> close_guard{close_mtx_};
  {
    std::lock_guard<std::mutex> guard{reader_mtx_};
    reader_db_.reset();
  }
  if (writer_db_ && !opts_.read_only) {
    // The writer closes last and folds the log into the database file, so
    // a copy of the file alone (a backup, a move) holds every row. Another
    // process still reading keeps its part of the log; that is no error.
    static_cast<void>(writer_db_->run("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  writer_db_.reset();
}

caf::error sqlite_store::closed_error() const {
  return make_error(errc::closed,
                    "sqlite reminder store " + opts_.path + " is closed");
}

} // namespace horae::detail
