// The read side of the SQLite store: synchronous queries on a separate
// connection, so reads never wait for the writer's fsync (WAL readers see
// the last committed snapshot).
#include <algorithm>

#include <horae/core/error.hpp>

#include "sql_limit.hpp"
#include "sqlite/row_codec.hpp"
#include "sqlite/salvage_scan.hpp"
#include "sqlite/sqlite_store_impl.hpp"
#include "sqlite/statements.hpp"

namespace horae::detail {

template <class Bind>
caf::expected<std::vector<reminder_record>>
sqlite_store::query(const char* sql, const char* what, Bind bind,
                    size_t max_rows) {
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  if (auto err = check_file())
    return err;
  auto stmt = reader_db_->prepare(sql);
  if (!stmt)
    return std::move(stmt.error());
  statement_guard stmt_guard{*stmt};
  if (auto rc = bind(*stmt); rc != SQLITE_OK)
    return reader_db_->error(rc, what);
  std::vector<reminder_record> result;
  // The statement walks an index, so stopping after `max_rows` good rows
  // costs nothing; a row that cannot be a reminder is skipped (and reported
  // once) rather than hiding every row behind it.
  while (result.size() < max_rows) {
    auto rc = sqlite3_step(*stmt);
    if (rc == SQLITE_DONE)
      return result;
    if (rc != SQLITE_ROW)
      return reader_db_->error(rc, what);
    auto rec = read_record(*stmt, opts_.path);
    if (rec) {
      result.emplace_back(std::move(*rec));
      continue;
    }
    report_invalid(key_at(*stmt), rec.error());
  }
  return result;
}

void sqlite_store::report_invalid(const reminder_key& key,
                                  const caf::error& err) {
  if (reported_invalid_.insert(key).second && opts_.on_invalid_row)
    opts_.on_invalid_row(key, err);
}

caf::expected<std::optional<reminder_record>>
sqlite_store::get(const reminder_key& key) {
  if (auto err = validate(key))
    return err;
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  if (auto err = check_file())
    return err;
  auto stmt = reader_db_->prepare(sql::get_record);
  if (!stmt)
    return std::move(stmt.error());
  statement_guard stmt_guard{*stmt};
  if (auto rc = bind_key(*stmt, key); rc != SQLITE_OK)
    return reader_db_->error(rc, "reading a reminder");
  auto rc = sqlite3_step(*stmt);
  if (rc == SQLITE_DONE)
    return std::optional<reminder_record>{};
  if (rc != SQLITE_ROW)
    return reader_db_->error(rc, "reading a reminder");
  // One row asked for by name: an invalid one is an error, with its reason.
  auto rec = read_record(*stmt, opts_.path);
  if (!rec)
    return std::move(rec.error());
  return std::optional<reminder_record>{std::move(*rec)};
}

caf::expected<std::vector<reminder_record>>
sqlite_store::list(const std::string& actor_type,
                   const std::string& actor_key) {
  return query(
    sql::list_actor, "listing an actor's reminders", [&](sqlite3_stmt* stmt) {
      auto rc
        = sqlite3_bind_text64(stmt, 1, actor_type.data(), actor_type.size(),
                              SQLITE_STATIC, SQLITE_UTF8);
      return rc == SQLITE_OK ? sqlite3_bind_text64(stmt, 2, actor_key.data(),
                                                   actor_key.size(),
                                                   SQLITE_STATIC, SQLITE_UTF8)
                             : rc;
    });
}

caf::expected<std::vector<reminder_record>>
sqlite_store::list_all(size_t limit, size_t offset) {
  return query(sql::list_all, "listing reminders", [&](sqlite3_stmt* stmt) {
    auto rc = sqlite3_bind_int64(stmt, 1, to_sql_limit(limit));
    return rc == SQLITE_OK ? sqlite3_bind_int64(stmt, 2, to_sql_limit(offset))
                           : rc;
  });
}

caf::expected<std::vector<reminder_record>>
sqlite_store::due_after_indexed(const due_position& after,
                                clock::wall_time limit, size_t max_rows) {
  return query(
    sql::due_after, "loading due reminders",
    [&](sqlite3_stmt* stmt) {
      int rc = SQLITE_OK;
      if ((rc = sqlite3_bind_int64(stmt, 1, to_db(after.due))) != SQLITE_OK
          || (rc = sqlite3_bind_int64(stmt, 2, to_db(after.revision)))
               != SQLITE_OK
          || (rc = sqlite3_bind_int64(stmt, 3, to_db(limit))) != SQLITE_OK)
        return rc;
      // No SQL limit: `query` stops after `max_rows` valid
      // rows, stepping over invalid ones.
      return sqlite3_bind_int64(stmt, 4, -1);
    },
    max_rows);
}

caf::expected<std::vector<reminder_record>>
sqlite_store::due_after(const due_position& after, clock::wall_time limit,
                        size_t max_rows) {
  auto rows = due_after_indexed(after, limit, max_rows);
  if (rows || code_of(rows.error()) != errc::storage_corrupt)
    return rows;
  // A damaged page: deliver what can still be read rather than nothing.
  return salvage_due_after(after, limit, max_rows, rows.error());
}

caf::expected<std::vector<reminder_record>>
sqlite_store::salvage_due_after(const due_position& after,
                                clock::wall_time limit, size_t max_rows,
                                const caf::error& damage) {
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  std::vector<reminder_record> rows;
  auto by_position = [](const reminder_record& x, const reminder_record& y) {
    return due_position::of(x) < due_position::of(y);
  };
  std::vector<unreadable_range> skipped;
  auto err = salvage_scan(
    *reader_db_,
    [&](sqlite3_stmt* stmt) {
      auto rec = read_record(stmt, opts_.path);
      if (!rec) {
        report_invalid(key_at(stmt), rec.error());
        return;
      }
      if (!(after < due_position::of(*rec)) || rec->due >= limit)
        return;
      rows.push_back(std::move(*rec));
      // Keep memory bounded by the page size, not the table.
      if (rows.size() >= 2 * max_rows + 64) {
        std::nth_element(rows.begin(),
                         rows.begin() + static_cast<std::ptrdiff_t>(max_rows),
                         rows.end(), by_position);
        rows.resize(max_rows);
      }
    },
    skipped);
  if (err)
    return err;
  if (!damage_reported_) {
    damage_reported_ = true;
    if (opts_.on_damage)
      opts_.on_damage(damage, skipped.size());
  }
  std::sort(rows.begin(), rows.end(), by_position);
  if (rows.size() > max_rows)
    rows.resize(max_rows);
  return rows;
}

caf::expected<uint64_t> sqlite_store::count() {
  std::lock_guard<std::mutex> guard{reader_mtx_};
  if (!reader_db_)
    return closed_error();
  if (auto err = check_file())
    return err;
  auto stmt = reader_db_->prepare(sql::count);
  if (!stmt)
    return std::move(stmt.error());
  statement_guard stmt_guard{*stmt};
  auto rc = sqlite3_step(*stmt);
  if (rc != SQLITE_ROW)
    return reader_db_->error(rc, "counting reminders");
  return static_cast<uint64_t>(sqlite3_column_int64(*stmt, 0));
}

} // namespace horae::detail
