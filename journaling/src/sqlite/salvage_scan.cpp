// The skip-ahead scan over a damaged table.
#include "sqlite/salvage_scan.hpp"

#include <limits>

#include "sqlite/statements.hpp"

namespace horae::detail {

namespace {

bool is_corruption(int rc) {
  auto primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

} // namespace

caf::error salvage_scan(sqlite_connection& db,
                        const std::function<void(sqlite3_stmt*)>& row,
                        std::vector<unreadable_range>& skipped) {
  constexpr auto max = std::numeric_limits<int64_t>::max();
  auto stmt = db.prepare(sql::salvage_after);
  if (!stmt)
    return std::move(stmt.error());
  int64_t last_good = std::numeric_limits<int64_t>::min();
  int64_t resume = last_good;
  int64_t step = 1;
  for (;;) {
    statement_guard guard{*stmt};
    sqlite3_bind_int64(*stmt, 1, resume);
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
      last_good = sqlite3_column_int64(*stmt, sql::salvage_rowid_column);
      step = 1; // readable again: the next gap starts small
      row(*stmt);
    }
    if (rc == SQLITE_DONE)
      return caf::none;
    if (!is_corruption(rc))
      return db.error(rc, "salvaging reminders");
    // Jump past the damage, twice as far after each failed try, so that a
    // damaged subtree costs a logarithmic number of probes.
    auto from = std::max(resume, last_good);
    if (from > max - step) {
      skipped.push_back({from, max});
      return caf::none;
    }
    resume = from + step;
    step = step > max / 2 ? max : step * 2;
    if (!skipped.empty() && skipped.back().last >= from)
      skipped.back().last = resume;
    else
      skipped.push_back(
        {from == std::numeric_limits<int64_t>::min() ? from : from + 1,
         resume});
  }
}

} // namespace horae::detail
