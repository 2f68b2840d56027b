// The SQL text of the reminder store. Each is an inline variable, so it has
// one address program-wide and the connection's statement cache (keyed by
// address) prepares it once per connection.
#pragma once

namespace horae::detail::sql {

// Every statement that binds or returns a whole record uses this column
// order, so one codec (row_codec.hpp) serves them all.
#define HORAE_REMINDER_COLUMNS                                                 \
  "actor_type, actor_key, name, payload, anchor, due, period, max_fires, "     \
  "expires, fire_count, policy, revision, created, updated, retry_limit, "     \
  "retry_delay, retry_max_delay, retry_then, failed_fires, cron, time_zone"

#define HORAE_KEY_MATCH "actor_type = ?1 AND actor_key = ?2 AND name = ?3"

// -- transactions -------------------------------------------------------------

inline constexpr const char* begin_immediate = "BEGIN IMMEDIATE";

inline constexpr const char* commit = "COMMIT";

// -- writes -------------------------------------------------------------------

inline constexpr const char* insert_record
  = "INSERT INTO reminders (" HORAE_REMINDER_COLUMNS ") VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18, ?19, ?20, ?21)";

// Replaces in place and keeps the creation time of an existing row; the
// RETURNING clause tells the caller which creation time the row now has.
inline constexpr const char* upsert_record
  = "INSERT INTO reminders (" HORAE_REMINDER_COLUMNS ") VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18, ?19, ?20, ?21) "
    "ON CONFLICT (actor_type, actor_key, name) DO UPDATE SET "
    "payload = excluded.payload, anchor = excluded.anchor, "
    "due = excluded.due, period = excluded.period, "
    "max_fires = excluded.max_fires, expires = excluded.expires, "
    "fire_count = excluded.fire_count, policy = excluded.policy, "
    "revision = excluded.revision, updated = excluded.updated, "
    "retry_limit = excluded.retry_limit, retry_delay = excluded.retry_delay, "
    "retry_max_delay = excluded.retry_max_delay, "
    "retry_then = excluded.retry_then, failed_fires = excluded.failed_fires, "
    "cron = excluded.cron, time_zone = excluded.time_zone "
    "RETURNING created";

inline constexpr const char* delete_record
  = "DELETE FROM reminders WHERE " HORAE_KEY_MATCH;

inline constexpr const char* record_fire
  = "UPDATE reminders SET fire_count = ?5, due = ?6, updated = ?7, "
    "failed_fires = failed_fires + ?8 WHERE " HORAE_KEY_MATCH
    " AND revision = ?4";

inline constexpr const char* finish_record
  = "DELETE FROM reminders WHERE " HORAE_KEY_MATCH " AND revision = ?4";

inline constexpr const char* select_last_revision
  = "SELECT value FROM store_meta WHERE key = 'last_revision'";

inline constexpr const char* update_last_revision
  = "UPDATE store_meta SET value = ?1 WHERE key = 'last_revision'";

// -- reads --------------------------------------------------------------------

inline constexpr const char* get_record
  = "SELECT " HORAE_REMINDER_COLUMNS " FROM reminders WHERE " HORAE_KEY_MATCH;

inline constexpr const char* list_actor
  = "SELECT " HORAE_REMINDER_COLUMNS " FROM reminders "
    "WHERE actor_type = ?1 AND actor_key = ?2 ORDER BY name";

inline constexpr const char* list_all
  = "SELECT " HORAE_REMINDER_COLUMNS " FROM reminders "
    "ORDER BY actor_type, actor_key, name LIMIT ?1 OFFSET ?2";

// Walks the (due, revision) index from just after the position (?1, ?2)
// and stops after ?4 rows: the cost is the rows returned, not the table nor
// the part of the window already read, however many rows share a due time.
inline constexpr const char* due_after
  = "SELECT " HORAE_REMINDER_COLUMNS " FROM reminders "
    "WHERE (due, revision) > (?1, ?2) AND due < ?3 "
    "ORDER BY due, revision LIMIT ?4";

inline constexpr const char* count = "SELECT count(*) FROM reminders";

// Salvage of a damaged table: rows in rowid order without any index, the
// rowid after the record's columns.
inline constexpr const char* salvage_after
  = "SELECT " HORAE_REMINDER_COLUMNS ", rowid FROM reminders NOT INDEXED "
    "WHERE rowid > ?1 ORDER BY rowid";

/// Column of the rowid in `salvage_after`.
inline constexpr int salvage_rowid_column = 21;

#undef HORAE_KEY_MATCH
#undef HORAE_REMINDER_COLUMNS

} // namespace horae::detail::sql
