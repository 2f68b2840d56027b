// Binding and reading reminder rows of the PostgreSQL store.
#include "postgres/pg_row_codec.hpp"

#include <algorithm>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>

namespace horae::detail {

namespace {

// uint64 counters and times are stored bit for bit in bigint columns, as in
// the SQLite store, so a record round-trips unchanged.
int64_t to_db(uint64_t x) noexcept {
  return static_cast<int64_t>(x);
}

int64_t to_db(clock::wall_time t) noexcept {
  return t.time_since_epoch().count();
}

/// Column names, for messages about a damaged row.
constexpr const char* column_names[] = {
  "actor_type",  "actor_key",       "name",       "payload",      "anchor",
  "due",         "period",          "max_fires",  "expires",      "fire_count",
  "policy",      "revision",        "created",    "updated",      "retry_limit",
  "retry_delay", "retry_max_delay", "retry_then", "failed_fires", "cron",
  "time_zone"};

} // namespace

void bind_key(pg_params& params, const reminder_key& key) {
  params.bytes(key.actor_type.data(), key.actor_type.size())
    .bytes(key.actor_key.data(), key.actor_key.size())
    .bytes(key.name.data(), key.name.size());
}

void bind_record(pg_params& params, const reminder_record& rec) {
  bind_key(params, rec.key);
  params.bytes(rec.payload.data(), rec.payload.size())
    .int8(to_db(rec.anchor))
    .int8(to_db(rec.due))
    .int8(rec.period.count())
    .int8(to_db(rec.max_fires));
  if (rec.expires)
    params.int8(to_db(*rec.expires));
  else
    params.null(pg_type::int8);
  params.int8(to_db(rec.fire_count))
    .int2(static_cast<int16_t>(rec.policy))
    .int8(to_db(rec.created))
    .int8(to_db(rec.updated));
  if (rec.on_failure) {
    const auto& f = *rec.on_failure;
    params.int8(f.max_retries)
      .int8(f.retry_delay.count())
      .int8(f.max_retry_delay.count())
      .int2(static_cast<int16_t>(f.then));
  } else {
    params.null(pg_type::int8)
      .null(pg_type::int8)
      .null(pg_type::int8)
      .null(pg_type::int2);
  }
  params.int8(to_db(rec.failed_fires)).text(rec.cron).text(rec.time_zone);
}

reminder_key key_at(const pg_result& res, int row) {
  return reminder_key{res.bytes_at(row, 0), res.bytes_at(row, 1),
                      res.bytes_at(row, 2)};
}

caf::expected<reminder_record> read_record(const pg_result& res, int row,
                                           const std::string& server) {
  reminder_record rec;
  rec.key = key_at(res, row);
  auto invalid = [&](const std::string& why) {
    return make_error(errc::storage_corrupt,
                      "postgresql store " + server + ": invalid reminder row "
                        + quote_for_message(to_string(rec.key), 200) + ": "
                        + why);
  };
  // Reads a column of the width its type has; a NULL or another width
  // means the table was changed by hand.
  caf::error bad;
  auto integer = [&](int col, int width, bool nullable) -> int64_t {
    if (bad)
      return 0;
    if (res.is_null(row, col)) {
      if (!nullable)
        bad = invalid(std::string{"column "} + column_names[col] + " is NULL");
      return 0;
    }
    auto x = res.int_at(row, col, width);
    if (!x) {
      bad = invalid(std::string{"column "} + column_names[col]
                    + " does not have the store's type");
      return 0;
    }
    return *x;
  };
  auto wall = [&](int col) {
    return clock::wall_time{clock::duration{integer(col, 8, false)}};
  };
  auto payload = res.bytes_at(row, 3);
  rec.payload.assign(payload.begin(), payload.end());
  rec.anchor = wall(4);
  rec.due = wall(5);
  rec.period = clock::duration{integer(6, 8, false)};
  rec.max_fires = static_cast<uint64_t>(integer(7, 8, false));
  if (!res.is_null(row, 8))
    rec.expires = wall(8);
  rec.fire_count = static_cast<uint64_t>(integer(9, 8, false));
  auto policy = integer(10, 2, false);
  rec.revision = static_cast<uint64_t>(integer(11, 8, false));
  rec.created = wall(12);
  rec.updated = wall(13);
  auto has_policy = !res.is_null(row, 14);
  failure_policy f;
  if (has_policy) {
    f.max_retries = static_cast<uint32_t>(
      std::clamp<int64_t>(integer(14, 8, false), 0, max_failure_retries + 1));
    f.retry_delay = clock::duration{integer(15, 8, false)};
    f.max_retry_delay = clock::duration{integer(16, 8, false)};
    f.then = static_cast<exhausted_action>(integer(17, 2, false));
  }
  rec.failed_fires = static_cast<uint64_t>(integer(18, 8, false));
  rec.cron = res.bytes_at(row, 19);
  rec.time_zone = res.bytes_at(row, 20);
  if (bad)
    return bad;
  rec.policy = static_cast<missed_tick_policy>(policy);
  if (policy < 0 || policy > 255 || !is_valid(rec.policy))
    return invalid("unknown missed-tick policy " + std::to_string(policy));
  if (has_policy) {
    if (auto err = validate(f))
      return invalid("bad " + describe(err));
    rec.on_failure = f;
  }
  if (auto err = validate(rec))
    return invalid(describe(err));
  return rec;
}

} // namespace horae::detail
