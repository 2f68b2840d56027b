// The write side of the PostgreSQL store: each batch is one transaction sent
// as a single libpq pipeline.
#include <algorithm>
#include <cstdint>

#include <horae/core/error.hpp>

#include "postgres/pg_row_codec.hpp"
#include "postgres/pg_statements.hpp"
#include "postgres/pg_store_impl.hpp"

namespace horae::detail {

namespace {

/// PostgreSQL refuses a field of 1 GiB or more; checked before queueing so
/// that one oversized payload cannot fail the batch it would travel in.
constexpr size_t max_field_bytes = (size_t{1} << 30) - 1;

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

pg_store::pg_store(postgres_store_options opts,
                   std::unique_ptr<pg_session> writer,
                   std::unique_ptr<pg_session> reader, uint32_t partitions)
  : opts_(std::move(opts)), clock_(opts_.time_source), partitions_(partitions),
    writer_db_(std::move(writer)), reader_db_(std::move(reader)),
    writes_(
      opts_.max_batch,
      [this](write_request* first, size_t n) { run_batch(first, n); },
      opts_.on_commit, [this] { return closed_error(); }) {
  // nop
}

pg_store::~pg_store() {
  close();
}

// -- asynchronous writes ------------------------------------------------------

void pg_store::upsert_async(reminder_record rec, bool overwrite,
                            upsert_completion done) {
  auto req = write_request::upsert(std::move(rec), overwrite, std::move(done));
  if (!req.invalid && req.rec.payload.size() > max_field_bytes) {
    req.err = make_error(errc::invalid_argument,
                         "reminder " + to_string(req.rec.key) + ": payload of "
                           + std::to_string(req.rec.payload.size())
                           + " bytes exceeds PostgreSQL's field limit of 1 "
                             "GiB");
    req.invalid = true;
  }
  writes_.submit(std::move(req));
}

void pg_store::remove_async(reminder_key key, completion done) {
  writes_.submit(write_request::remove(std::move(key), std::move(done)));
}

void pg_store::record_fire_async(reminder_key key, uint64_t revision,
                                 uint64_t new_fire_count,
                                 std::optional<clock::wall_time> next_due,
                                 fire_outcome outcome, fire_completion done) {
  writes_.submit(write_request::fire(std::move(key), revision, new_fire_count,
                                     next_due, outcome, std::move(done)));
}

// -- writer thread ------------------------------------------------------------

void pg_store::run_batch(write_request* first, size_t n) {
  if (try_batch(first, n) && !writer_db_->connected()
      && !writer_db_->timed_out()) {
    // The connection died before the transaction began (a server restart
    // since the last batch shows only now): nothing was written, so a
    // second attempt on a new connection cannot duplicate anything.
    for (auto i = first; i != first + n; ++i)
      if (!i->invalid)
        i->err = caf::none;
    try_batch(first, n);
  }
}

const char* pg_store::statement_for(write_request& req, pg_params& params,
                                    clock::wall_time now) const {
  switch (req.type) {
    case write_request::kind::upsert:
      // The parameters point into the request's record, which outlives
      // the batch; `created` is replaced by the stored one for overwrites.
      req.rec.created = now;
      req.rec.updated = now;
      bind_record(params, req.rec);
      params.int8(partition_of(req.rec.key.actor_type, req.rec.key.actor_key,
                               partitions_));
      return req.overwrite ? pg_sql::upsert_record : pg_sql::insert_record;
    case write_request::kind::remove:
      bind_key(params, req.rec.key);
      return pg_sql::delete_record;
    case write_request::kind::fire:
      bind_key(params, req.rec.key);
      params.int8(static_cast<int64_t>(req.revision));
      if (!req.next_due)
        return pg_sql::finish_record;
      params.int8(static_cast<int64_t>(req.fire_count))
        .int8(req.next_due->time_since_epoch().count())
        .int8(now.time_since_epoch().count())
        .int8(req.failed ? 1 : 0);
      return pg_sql::record_fire;
  }
  return nullptr;
}

void pg_store::take_result(write_request& req, const pg_result& res) {
  switch (req.type) {
    case write_request::kind::upsert: {
      if (res.rows() == 0) {
        req.err = make_error(errc::already_exists,
                             "reminder " + to_string(req.rec.key)
                               + " already exists and overwrite is false");
        return;
      }
      auto revision = res.int_at(0, 0, 8);
      auto created = res.int_at(0, 1, 8);
      if (!revision || !created) {
        req.err = writer_db_->failure("writing a reminder returned a "
                                      "revision of an unexpected type");
        return;
      }
      req.rec.revision = static_cast<uint64_t>(*revision);
      req.rec.created = clock::wall_time{clock::duration{*created}};
      return;
    }
    case write_request::kind::remove:
      if (res.affected() == 0)
        req.err
          = make_error(errc::not_found, "reminder " + to_string(req.rec.key)
                                          + " does not exist");
      return;
    case write_request::kind::fire:
      req.applied = res.affected() > 0;
      return;
  }
}

bool pg_store::try_batch(write_request* first, size_t n) {
  auto last = first + n;
  auto fail_all = [&](const caf::error& err) {
    for (auto i = first; i != last; ++i)
      if (!i->invalid)
        i->err = err;
  };
  if (std::all_of(first, last,
                  [](const write_request& x) { return x.invalid; }))
    return false;
  if (opts_.read_only) {
    fail_all(writer_db_->failure("the store was opened read-only"));
    return false;
  }
  auto& db = *writer_db_;
  if (auto err = db.ensure_connected()) {
    fail_all(err);
    return false;
  }
  // In a cluster, the transaction begins here, with the lease rows of the
  // batch's partitions locked; requests for partitions this node does not
  // hold drop out with `not_owner`.
  auto began_outside = false;
  if (opts_.fence) {
    if (auto err = fence_batch(first, n)) {
      fail_all(err);
      return !db.connected();
    }
    if (std::all_of(first, last,
                    [](const write_request& x) { return x.invalid; })) {
      static_cast<void>(db.run(pg_sql::rollback, "ending a fenced batch"));
      return false;
    }
    began_outside = true;
  }
  auto now = clock_->wall_now();
  // Parameters of every statement, kept alive until the pipeline is sent.
  std::vector<pg_params> params(n);
  std::vector<const char*> statements(n, nullptr);
  for (size_t k = 0; k < n; ++k) {
    if (first[k].invalid)
      continue;
    statements[k] = statement_for(first[k], params[k], now);
    // Prepared outside the pipeline (libpq cannot prepare inside one).
    if (auto err = db.prepare(statements[k], params[k])) {
      fail_all(err);
      if (began_outside && db.connected())
        static_cast<void>(db.run(pg_sql::rollback, "rolling back a batch"));
      return !began_outside && !db.connected();
    }
  }
  auto conn = db.handle();
  if (PQenterPipelineMode(conn) == 0) {
    fail_all(db.error(nullptr, "starting a pipeline"));
    return false;
  }
  // What each result will answer, in the order the queries are sent:
  // BEGIN (unless a fenced batch began it already), one per request that
  // reaches the database, COMMIT; then comes the sync.
  constexpr size_t begin_query = SIZE_MAX - 1;
  constexpr size_t commit_query = SIZE_MAX;
  std::vector<size_t> order;
  if (!began_outside)
    order.push_back(begin_query);
  for (size_t k = 0; k < n; ++k)
    if (statements[k] != nullptr)
      order.push_back(k);
  order.push_back(commit_query);
  auto sent = true;
  for (auto i = order.begin(); sent && i != order.end(); ++i) {
    if (*i == begin_query || *i == commit_query) {
      auto sql = *i == begin_query ? pg_sql::begin : pg_sql::commit;
      sent
        = PQsendQueryParams(conn, sql, 0, nullptr, nullptr, nullptr, nullptr, 1)
          != 0;
    } else {
      const auto& p = params[*i];
      sent
        = PQsendQueryPrepared(conn, db.prepared_name(statements[*i]).c_str(),
                              p.size(), p.values(), p.lengths(), p.formats(), 1)
          != 0;
    }
  }
  sent = sent && PQpipelineSync(conn) != 0;
  if (!sent) {
    auto err = db.error(nullptr, "sending a batch");
    PQexitPipelineMode(conn);
    db.disconnect();
    fail_all(err);
    return true;
  }
  // After the first error the server skips the rest (reported as aborted)
  // up to the sync, and the transaction is gone.
  caf::error batch_err;
  bool began = began_outside;
  bool committed = false;
  size_t answered = 0;
  for (;;) {
    if (auto err = db.await_input("committing a batch")) {
      batch_err = err;
      break;
    }
    pg_result res{PQgetResult(conn)};
    if (res.get() == nullptr) {
      if (!db.connected()) {
        batch_err = db.error(nullptr, "committing a batch");
        break;
      }
      continue; // end of one query's results
    }
    auto status = PQresultStatus(res.get());
    if (status == PGRES_PIPELINE_SYNC)
      break;
    if (status == PGRES_FATAL_ERROR && !batch_err)
      batch_err = db.error(res.get(), "committing a batch");
    if (answered == order.size())
      continue; // nothing is expected before the sync any more
    auto ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    auto query = order[answered++];
    if (query == begin_query)
      began = ok;
    else if (query == commit_query)
      // A COMMIT of a transaction that failed reports ROLLBACK, not an
      // error: only the word COMMIT means the batch is durable.
      committed = ok && std::string{PQcmdStatus(res.get())} == "COMMIT";
    else if (ok)
      take_result(first[query], res);
  }
  // A connection left in pipeline mode would refuse the next batch's
  // preparation; when leaving fails, start afresh.
  if (db.connected() && PQexitPipelineMode(conn) == 0)
    db.disconnect();
  if (committed && !batch_err)
    return false;
  if (!batch_err)
    batch_err = db.failure("a batch was not committed");
  if (db.connected())
    static_cast<void>(db.run(pg_sql::rollback, "rolling back a batch"));
  fail_all(batch_err);
  return !began;
}

caf::error pg_store::fence_batch(write_request* first, size_t n) {
  auto& db = *writer_db_;
  // The epoch each request expects, from this node's own view of its
  // leases; a partition it does not hold is refused before the database.
  std::vector<std::pair<uint32_t, uint64_t>> expected(n);
  std::vector<uint32_t> wanted;
  for (size_t k = 0; k < n; ++k) {
    auto& req = first[k];
    if (req.invalid)
      continue;
    auto p = partition_of(req.rec.key.actor_type, req.rec.key.actor_key,
                          partitions_);
    auto epoch = opts_.fence(p);
    if (!epoch) {
      req.err = not_owner(p);
      req.invalid = true;
      continue;
    }
    expected[k] = {p, *epoch};
    wanted.push_back(p);
  }
  if (wanted.empty())
    return caf::none;
  if (auto err = db.run(pg_sql::begin, "starting a fenced batch"))
    return err;
  pg_params params;
  params.partitions(wanted)
    .text(opts_.node_id)
    .int8(static_cast<int64_t>(opts_.incarnation));
  auto held = db.exec(pg_sql::lock_leases, params, "locking the leases");
  if (!held)
    return std::move(held.error());
  std::vector<std::pair<uint32_t, uint64_t>> epochs;
  for (int row = 0; row < held->rows(); ++row) {
    auto p = held->int_at(row, 0, 8);
    auto epoch = held->int_at(row, 1, 8);
    if (p && epoch)
      epochs.emplace_back(static_cast<uint32_t>(*p),
                          static_cast<uint64_t>(*epoch));
  }
  for (size_t k = 0; k < n; ++k) {
    auto& req = first[k];
    if (req.invalid)
      continue;
    auto same = std::find(epochs.begin(), epochs.end(), expected[k]);
    if (same == epochs.end()) {
      req.err = not_owner(expected[k].first);
      req.invalid = true;
    }
  }
  return caf::none;
}

caf::error pg_store::not_owner(uint32_t partition) const {
  return make_error(errc::not_owner, "node " + opts_.node_id
                                       + " does not hold partition "
                                       + std::to_string(partition)
                                       + " (any more); the write was not made");
}

// -- lifetime -----------------------------------------------------------------

void pg_store::close() {
  if (!writes_.stop())
    return;
  std::lock_guard<std::mutex> close_guard{close_mtx_};
  {
    std::lock_guard<std::mutex> guard{reader_mtx_};
    reader_db_.reset();
  }
  writer_db_.reset();
}

caf::error pg_store::closed_error() const {
  return make_error(errc::closed, "postgresql reminder store "
                                    + describe_postgres_target(opts_.conninfo)
                                    + " is closed");
}

} // namespace horae::detail
