// Binding and reading reminder rows.
#include "sqlite/row_codec.hpp"

#include <algorithm>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>

namespace horae::detail {

namespace {

clock::wall_time wall_time_at(sqlite3_stmt* stmt, int col) {
  return clock::wall_time{clock::duration{sqlite3_column_int64(stmt, col)}};
}

std::string text_at(sqlite3_stmt* stmt, int col) {
  auto ptr = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
  auto len = sqlite3_column_bytes(stmt, col);
  return ptr != nullptr ? std::string{ptr, static_cast<size_t>(len)}
                        : std::string{};
}

int bind_text(sqlite3_stmt* stmt, int idx, const std::string& str) {
  return sqlite3_bind_text64(stmt, idx, str.data(), str.size(), SQLITE_STATIC,
                             SQLITE_UTF8);
}

} // namespace

int bind_key(sqlite3_stmt* stmt, const reminder_key& key) {
  int rc = SQLITE_OK;
  if ((rc = bind_text(stmt, 1, key.actor_type)) != SQLITE_OK
      || (rc = bind_text(stmt, 2, key.actor_key)) != SQLITE_OK
      || (rc = bind_text(stmt, 3, key.name)) != SQLITE_OK)
    return rc;
  return SQLITE_OK;
}

int bind_record(sqlite3_stmt* stmt, const reminder_record& rec) {
  if (auto rc = bind_key(stmt, rec.key); rc != SQLITE_OK)
    return rc;
  // A null pointer would bind SQL NULL and violate NOT NULL; an empty
  // payload is a zero-length blob.
  auto rc = rec.payload.empty()
              ? sqlite3_bind_zeroblob(stmt, 4, 0)
              : sqlite3_bind_blob64(stmt, 4, rec.payload.data(),
                                    rec.payload.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK)
    return rc;
  auto bind64
    = [&](int idx, int64_t x) { return sqlite3_bind_int64(stmt, idx, x); };
  if ((rc = bind64(5, to_db(rec.anchor))) != SQLITE_OK
      || (rc = bind64(6, to_db(rec.due))) != SQLITE_OK
      || (rc = bind64(7, rec.period.count())) != SQLITE_OK
      || (rc = bind64(8, to_db(rec.max_fires))) != SQLITE_OK)
    return rc;
  rc
    = rec.expires ? bind64(9, to_db(*rec.expires)) : sqlite3_bind_null(stmt, 9);
  if (rc != SQLITE_OK || (rc = bind64(10, to_db(rec.fire_count))) != SQLITE_OK
      || (rc = bind64(11, static_cast<int64_t>(rec.policy))) != SQLITE_OK
      || (rc = bind64(12, to_db(rec.revision))) != SQLITE_OK
      || (rc = bind64(13, to_db(rec.created))) != SQLITE_OK
      || (rc = bind64(14, to_db(rec.updated))) != SQLITE_OK)
    return rc;
  if (rec.on_failure) {
    const auto& f = *rec.on_failure;
    if ((rc = bind64(15, f.max_retries)) != SQLITE_OK
        || (rc = bind64(16, f.retry_delay.count())) != SQLITE_OK
        || (rc = bind64(17, f.max_retry_delay.count())) != SQLITE_OK
        || (rc = bind64(18, static_cast<int64_t>(f.then))) != SQLITE_OK)
      return rc;
  } else {
    for (int idx = 15; idx <= 18; ++idx)
      if ((rc = sqlite3_bind_null(stmt, idx)) != SQLITE_OK)
        return rc;
  }
  if ((rc = bind64(19, to_db(rec.failed_fires))) != SQLITE_OK
      || (rc = bind_text(stmt, 20, rec.cron)) != SQLITE_OK)
    return rc;
  return bind_text(stmt, 21, rec.time_zone);
}

reminder_key key_at(sqlite3_stmt* stmt) {
  return reminder_key{text_at(stmt, 0), text_at(stmt, 1), text_at(stmt, 2)};
}

caf::expected<reminder_record> read_record(sqlite3_stmt* stmt,
                                           const std::string& path) {
  reminder_record rec;
  rec.key = key_at(stmt);
  auto invalid = [&](const std::string& why) {
    return make_error(errc::storage_corrupt,
                      "sqlite database " + path + ": invalid reminder row "
                        + quote_for_message(to_string(rec.key), 200) + ": "
                        + why);
  };
  // SQLite converts whatever a hand edit left in a column; only integers
  // (and NULL where allowed) are times and counters.
  static constexpr int integer_columns[] = {4, 5, 6, 7, 9, 10, 11, 12, 13};
  static constexpr const char* names[]
    = {"",       "",         "",          "",        "anchor",
       "due",    "period",   "max_fires", "expires", "fire_count",
       "policy", "revision", "created",   "updated"};
  for (auto col : integer_columns)
    if (sqlite3_column_type(stmt, col) != SQLITE_INTEGER)
      return invalid(std::string{"column "} + names[col]
                     + " is not an integer");
  if (auto type = sqlite3_column_type(stmt, 8);
      type != SQLITE_INTEGER && type != SQLITE_NULL)
    return invalid("column expires is neither an integer nor NULL");
  auto blob = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 3));
  auto blob_size = static_cast<size_t>(sqlite3_column_bytes(stmt, 3));
  if (blob != nullptr)
    rec.payload.assign(blob, blob + blob_size);
  rec.anchor = wall_time_at(stmt, 4);
  rec.due = wall_time_at(stmt, 5);
  rec.period = clock::duration{sqlite3_column_int64(stmt, 6)};
  rec.max_fires = static_cast<uint64_t>(sqlite3_column_int64(stmt, 7));
  if (sqlite3_column_type(stmt, 8) != SQLITE_NULL)
    rec.expires = wall_time_at(stmt, 8);
  rec.fire_count = static_cast<uint64_t>(sqlite3_column_int64(stmt, 9));
  auto policy = sqlite3_column_int64(stmt, 10);
  rec.policy = static_cast<missed_tick_policy>(policy);
  if (policy < 0 || policy > 255 || !is_valid(rec.policy))
    return make_error(errc::storage_corrupt,
                      "sqlite database " + path + ": reminder "
                        + to_string(rec.key) + " has unknown missed-tick "
                        + "policy " + std::to_string(policy));
  rec.revision = static_cast<uint64_t>(sqlite3_column_int64(stmt, 11));
  rec.created = wall_time_at(stmt, 12);
  rec.updated = wall_time_at(stmt, 13);
  if (sqlite3_column_type(stmt, 14) != SQLITE_NULL) {
    failure_policy f;
    auto retries = sqlite3_column_int64(stmt, 14);
    f.max_retries = static_cast<uint32_t>(
      std::clamp<int64_t>(retries, 0, max_failure_retries + 1));
    f.retry_delay = clock::duration{sqlite3_column_int64(stmt, 15)};
    f.max_retry_delay = clock::duration{sqlite3_column_int64(stmt, 16)};
    f.then = static_cast<exhausted_action>(sqlite3_column_int64(stmt, 17));
    if (auto err = validate(f))
      return make_error(errc::storage_corrupt,
                        "sqlite database " + path + ": reminder "
                          + to_string(rec.key) + " has a bad " + describe(err));
    rec.on_failure = f;
  }
  rec.failed_fires = static_cast<uint64_t>(sqlite3_column_int64(stmt, 18));
  // Text columns: a hand edit that left a number reads as its digits and
  // then fails validation below like any other bad expression.
  rec.cron = text_at(stmt, 19);
  rec.time_zone = text_at(stmt, 20);
  if (auto err = validate(rec))
    return invalid(describe(err));
  return rec;
}

} // namespace horae::detail
