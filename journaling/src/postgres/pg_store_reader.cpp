// The read side of the PostgreSQL store: synchronous queries on their own
// connection, so reads never wait behind a batch's commit.
#include <algorithm>

#include <horae/core/error.hpp>

#include "postgres/pg_row_codec.hpp"
#include "postgres/pg_statements.hpp"
#include "postgres/pg_store_impl.hpp"
#include "sql_limit.hpp"

namespace horae::detail {

caf::expected<pg_result>
pg_store::read(const char* sql, const pg_params& params, const char* what) {
  auto res = reader_db_->exec(sql, params, what);
  // Reads change nothing, so one lost to a connection that died while
  // idle (a server restart shows only at the next use) is simply repeated
  // on a new one.
  if (!res && !reader_db_->connected() && !reader_db_->timed_out())
    res = reader_db_->exec(sql, params, what);
  return res;
}

caf::expected<std::vector<reminder_record>>
pg_store::query(const char* sql, const pg_params& params, const char* what) {
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  auto res = read(sql, params, what);
  if (!res)
    return std::move(res.error());
  std::vector<reminder_record> result;
  result.reserve(static_cast<size_t>(res->rows()));
  // A row that cannot be a reminder is skipped (and reported once) rather
  // than hiding every row behind it.
  for (int row = 0; row < res->rows(); ++row) {
    auto rec = read_record(*res, row, reader_db_->server());
    if (rec) {
      result.emplace_back(std::move(*rec));
      continue;
    }
    auto key = key_at(*res, row);
    if (reported_invalid_.insert(key).second && opts_.on_invalid_row)
      opts_.on_invalid_row(key, rec.error());
  }
  return result;
}

caf::expected<std::optional<reminder_record>>
pg_store::get(const reminder_key& key) {
  if (auto err = validate(key))
    return err;
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  pg_params params;
  bind_key(params, key);
  auto res = read(pg_sql::get_record, params, "reading a reminder");
  if (!res)
    return std::move(res.error());
  if (res->rows() == 0)
    return std::optional<reminder_record>{};
  // One row asked for by name: an invalid one is an error, with its reason.
  auto rec = read_record(*res, 0, reader_db_->server());
  if (!rec)
    return std::move(rec.error());
  return std::optional<reminder_record>{std::move(*rec)};
}

caf::expected<std::vector<reminder_record>>
pg_store::list(const std::string& actor_type, const std::string& actor_key) {
  pg_params params;
  params.bytes(actor_type.data(), actor_type.size())
    .bytes(actor_key.data(), actor_key.size());
  return query(pg_sql::list_actor, params, "listing an actor's reminders");
}

caf::expected<std::vector<reminder_record>> pg_store::list_all(size_t limit,
                                                               size_t offset) {
  pg_params params;
  params.int8(to_sql_limit(limit)).int8(to_sql_limit(offset));
  return query(pg_sql::list_all, params, "listing reminders");
}

caf::expected<std::vector<reminder_record>>
pg_store::due_after(const due_position& after, clock::wall_time limit,
                    size_t max_rows) {
  pg_params params;
  params.int8(after.due.time_since_epoch().count())
    .int8(static_cast<int64_t>(after.revision))
    .int8(limit.time_since_epoch().count())
    .int8(to_sql_limit(max_rows));
  if (!opts_.held_partitions)
    return query(pg_sql::due_after, params, "reading due reminders");
  auto held = opts_.held_partitions();
  if (held.empty())
    return std::vector<reminder_record>{};
  params.partitions(held);
  return query(pg_sql::due_after_in, params, "reading due reminders");
}

caf::expected<uint64_t> pg_store::count() {
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  pg_params none;
  auto res = read(pg_sql::count, none, "counting reminders");
  if (!res)
    return std::move(res.error());
  auto n = res->rows() == 1 ? res->int_at(0, 0, 8) : std::nullopt;
  if (!n)
    return reader_db_->failure("counting reminders returned no number");
  return static_cast<uint64_t>(*n);
}

} // namespace horae::detail
