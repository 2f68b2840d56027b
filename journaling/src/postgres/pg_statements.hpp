// The SQL text of the PostgreSQL reminder store. Each is an inline variable,
// so it has one address program-wide and the session's prepared-statement
// cache (keyed by address) prepares it once per connection.
#pragma once

namespace horae::detail::pg_sql {

// Every statement that returns a whole record uses this column order, the
// same as the SQLite store's, so one decoder (pg_row_codec.hpp) serves all.
#define HORAE_PG_COLUMNS                                                       \
  "actor_type, actor_key, name, payload, anchor, due, period, max_fires, "     \
  "expires, fire_count, policy, revision, created, updated, retry_limit, "     \
  "retry_delay, retry_max_delay, retry_then, failed_fires, cron, time_zone"

#define HORAE_PG_KEY_MATCH "actor_type = $1 AND actor_key = $2 AND name = $3"

// Parameters $1 to $20 are a record without its revision, which comes from
// the sequence: unique across every process writing the same database; $21
// is its partition.
#define HORAE_PG_INSERT                                                        \
  "INSERT INTO horae_reminders (" HORAE_PG_COLUMNS ", partition) VALUES "      \
  "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "                            \
  "nextval('horae_revision'), $12, $13, $14, $15, $16, $17, $18, $19, $20, "   \
  "$21::bigint::int) "

// -- transactions -------------------------------------------------------------

inline constexpr const char* begin = "BEGIN";

inline constexpr const char* commit = "COMMIT";

inline constexpr const char* rollback = "ROLLBACK";

// -- writes -------------------------------------------------------------------

// No row back means the key exists: a precondition, not an error, so the
// rest of the batch is unaffected.
inline constexpr const char* insert_record
  = HORAE_PG_INSERT "ON CONFLICT (actor_type, actor_key, name) DO NOTHING "
                    "RETURNING revision, created";

// Replaces in place and keeps the creation time of an existing row.
inline constexpr const char* upsert_record = HORAE_PG_INSERT
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
  "RETURNING revision, created";

inline constexpr const char* delete_record
  = "DELETE FROM horae_reminders WHERE " HORAE_PG_KEY_MATCH;

inline constexpr const char* record_fire
  = "UPDATE horae_reminders SET fire_count = $5, due = $6, updated = $7, "
    "failed_fires = failed_fires + $8 WHERE " HORAE_PG_KEY_MATCH
    " AND revision = $4";

inline constexpr const char* finish_record
  = "DELETE FROM horae_reminders WHERE " HORAE_PG_KEY_MATCH
    " AND revision = $4";

// -- reads --------------------------------------------------------------------

inline constexpr const char* get_record
  = "SELECT " HORAE_PG_COLUMNS
    " FROM horae_reminders WHERE " HORAE_PG_KEY_MATCH;

inline constexpr const char* list_actor
  = "SELECT " HORAE_PG_COLUMNS " FROM horae_reminders "
    "WHERE actor_type = $1 AND actor_key = $2 ORDER BY name";

inline constexpr const char* list_all
  = "SELECT " HORAE_PG_COLUMNS " FROM horae_reminders "
    "ORDER BY actor_type, actor_key, name LIMIT $1 OFFSET $2";

// Walks the (due, revision) index from just after the position ($1, $2):
// the cost is the rows returned, however many rows share a due time.
inline constexpr const char* due_after
  = "SELECT " HORAE_PG_COLUMNS " FROM horae_reminders "
    "WHERE (due, revision) > ($1, $2) AND due < $3 "
    "ORDER BY due, revision LIMIT $4";

// The same for the partitions this node holds ($5: comma-separated list).
inline constexpr const char* due_after_in
  = "SELECT " HORAE_PG_COLUMNS " FROM horae_reminders "
    "WHERE (due, revision) > ($1, $2) AND due < $3 "
    "AND partition = ANY (string_to_array($5, ',')::int[]) "
    "ORDER BY due, revision LIMIT $4";

inline constexpr const char* count = "SELECT count(*) FROM horae_reminders";

// -- fencing ------------------------------------------------------------------

// Locks the lease rows of the batch's partitions ($1, comma-separated) that
// this node ($2, incarnation $3) owns, and returns their epochs. The share
// lock holds until the batch commits, so no takeover can complete in
// between: the batch either commits before a successor's lease, or sees
// that it lost the partition.
inline constexpr const char* lock_leases
  = "SELECT partition::bigint, epoch FROM horae_leases "
    "WHERE partition = ANY (string_to_array($1, ',')::int[]) "
    "AND owner_node = $2 AND owner_incarnation = $3 FOR SHARE";

#undef HORAE_PG_INSERT
#undef HORAE_PG_KEY_MATCH
#undef HORAE_PG_COLUMNS

} // namespace horae::detail::pg_sql
