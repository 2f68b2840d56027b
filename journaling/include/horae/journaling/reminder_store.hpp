// The abstract durable store behind the ReminderFacet. The SQLite store is
// the embedded default; a shared store (e.g. PostgreSQL) can replace it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/journaling/due_position.hpp>
#include <horae/journaling/reminder_key.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae {

/// Durable storage of reminders.
///
/// Writes are asynchronous: a write request is queued, and its completion
/// runs once the write is durable or has failed. Implementations are
/// expected to share one durable commit among all requests queued at that
/// moment (group commit), so many concurrent registrations cost one fsync.
/// Every completion runs exactly once, on a thread owned by the store; it
/// must not block on the store (no blocking wrapper, no `close`) and should
/// return quickly, since it delays the completions of the same batch.
///
/// Reads are synchronous and thread-safe; they see every write whose
/// completion has run.
class reminder_store {
public:
  // -- member types -----------------------------------------------------------

  /// Completion of a write without a result.
  using completion = std::function<void(caf::error)>;

  /// Completion of an upsert: the stored record or an error.
  using upsert_completion = std::function<void(caf::expected<reminder_record>)>;

  /// Completion of a recorded fire: whether it was applied, or an error.
  using fire_completion = std::function<void(caf::expected<bool>)>;

  /// How the fire being recorded ended.
  enum class fire_outcome : uint8_t {
    /// The behaviour handled it.
    delivered,
    /// It was given up after its retries; `failed_fires` grows by one.
    failed,
  };

  // -- constructors, destructors, and assignment operators --------------------

  virtual ~reminder_store();

  // -- asynchronous writes ----------------------------------------------------

  /// Inserts or replaces the reminder `rec.key`.
  /// @param rec the reminder; `revision`, `created` and `updated` are
  ///            ignored and set by the store.
  /// @param overwrite whether an existing reminder of that key is replaced
  ///                  (`created` is kept) or the request fails.
  /// @param done receives the stored record, or `invalid_argument`,
  ///             `already_exists` (only when `overwrite` is false),
  ///             `storage_failure`, `storage_corrupt` or `closed`.
  virtual void upsert_async(reminder_record rec, bool overwrite,
                            upsert_completion done)
    = 0;

  /// Deletes the reminder `key`.
  /// @param done receives none, or `invalid_argument`, `not_found`,
  ///             `storage_failure`, `storage_corrupt` or `closed`.
  virtual void remove_async(reminder_key key, completion done) = 0;

  /// Records a delivered fire, but only if the row still has `revision`,
  /// i.e. the user neither replaced nor removed the reminder meanwhile.
  /// The revision is not changed, so the following fires of the same
  /// registration use the same revision.
  /// @param new_fire_count the fire count after this fire.
  /// @param next_due the next due time, or none if the reminder is finished
  ///                 (one-shot, max fires or TTL reached): the row is
  ///                 deleted.
  /// @param outcome whether the fire was handled or given up.
  /// @param done receives true if applied, false if skipped because the
  ///             revision changed or the row is gone; or `invalid_argument`,
  ///             `storage_failure`, `storage_corrupt` or `closed`.
  virtual void record_fire_async(reminder_key key, uint64_t revision,
                                 uint64_t new_fire_count,
                                 std::optional<clock::wall_time> next_due,
                                 fire_outcome outcome, fire_completion done)
    = 0;

  // -- blocking writes --------------------------------------------------------

  /// Like `upsert_async`, but blocks until the write is durable.
  /// @note Never call from a completion or an actor's message handler that
  ///       must not block.
  caf::expected<reminder_record> upsert(reminder_record rec, bool overwrite);

  /// Like `remove_async`, but blocks until the write is durable.
  caf::error remove(reminder_key key);

  /// Like `record_fire_async`, but blocks until the write is durable.
  caf::expected<bool>
  record_fire(reminder_key key, uint64_t revision, uint64_t new_fire_count,
              std::optional<clock::wall_time> next_due,
              fire_outcome outcome = fire_outcome::delivered);

  // -- reads ------------------------------------------------------------------

  /// @returns the reminder `key`, none if it does not exist, or an error.
  virtual caf::expected<std::optional<reminder_record>>
  get(const reminder_key& key) = 0;

  /// @returns all reminders of one actor, ordered by name.
  virtual caf::expected<std::vector<reminder_record>>
  list(const std::string& actor_type, const std::string& actor_key) = 0;

  /// Pages through all reminders, ordered by actor type, actor key, name.
  /// Meant for admin tools, not for the delivery path.
  virtual caf::expected<std::vector<reminder_record>> list_all(size_t limit,
                                                               size_t offset)
    = 0;

  /// @returns at most `max_rows` reminders with `due < limit` that come
  ///          after `after` in (due, revision) order, in that order. A reader
  ///          pages through the window by passing the position of the last
  ///          row it received, so each row is read once, and only the window
  ///          is ever loaded: the store may hold far more reminders than fit
  ///          in memory.
  virtual caf::expected<std::vector<reminder_record>>
  due_after(const due_position& after, clock::wall_time limit, size_t max_rows)
    = 0;

  /// @returns the first `max_rows` reminders with `due < limit`, ordered by
  ///          due time (ties by revision).
  caf::expected<std::vector<reminder_record>> due_before(clock::wall_time limit,
                                                         size_t max_rows);

  /// @returns the number of stored reminders.
  virtual caf::expected<uint64_t> count() = 0;

  // -- lifetime ---------------------------------------------------------------

  /// Makes every queued write durable (their completions run), then releases
  /// the store's resources. Afterwards, writes complete with `errc::closed`
  /// on the calling thread and reads return `errc::closed`. Idempotent.
  /// @note Never call from a completion.
  virtual void close() = 0;
};

} // namespace horae
