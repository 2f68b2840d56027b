// One queued write of a reminder store: its arguments, its outcome and the
// caller's completion, run once the batch holding it is durable.
#pragma once

#include <cstdint>
#include <optional>

#include <caf/error.hpp>

#include <horae/journaling/reminder_store.hpp>

namespace horae::detail {

/// A write waiting for the writer thread. A plain struct rather than a
/// variant: the three kinds share the key and the outcome fields, and the
/// writer handles them in one switch.
struct write_request {
  enum class kind : uint8_t { upsert, remove, fire };

  kind type = kind::upsert;

  /// The record to store (upsert), or only its key (remove, fire).
  reminder_record rec;

  /// upsert: replace an existing row.
  bool overwrite = false;

  /// fire: the revision the row must still have.
  uint64_t revision = 0;

  /// fire: the fire count after this fire.
  uint64_t fire_count = 0;

  /// fire: the next due time, none to delete the row.
  std::optional<clock::wall_time> next_due;

  /// fire: given up after its retries rather than handled.
  bool failed = false;

  /// The request's own outcome; set before the batch commits and replaced
  /// by the batch's error if the commit fails.
  caf::error err;

  /// The request failed validation before reaching the database; its error
  /// is never replaced by a batch failure.
  bool invalid = false;

  /// fire: whether the row matched the revision.
  bool applied = false;

  reminder_store::upsert_completion on_upsert;
  reminder_store::completion on_remove;
  reminder_store::fire_completion on_fire;

  // -- factories --------------------------------------------------------------

  /// An upsert, checked here so that a bad record never reaches the store.
  static write_request upsert(reminder_record rec, bool overwrite,
                              reminder_store::upsert_completion done);

  /// A removal, its key checked here.
  static write_request remove(reminder_key key,
                              reminder_store::completion done);

  /// A recorded fire, its key checked here.
  static write_request fire(reminder_key key, uint64_t revision,
                            uint64_t new_fire_count,
                            std::optional<clock::wall_time> next_due,
                            reminder_store::fire_outcome outcome,
                            reminder_store::fire_completion done);

  // -- completion -------------------------------------------------------------

  /// Runs the caller's completion with the outcome.
  void complete() {
    switch (type) {
      case kind::upsert:
        if (err)
          on_upsert(std::move(err));
        else
          on_upsert(std::move(rec));
        break;
      case kind::remove:
        on_remove(std::move(err));
        break;
      case kind::fire:
        if (err)
          on_fire(std::move(err));
        else
          on_fire(applied);
        break;
    }
  }
};

} // namespace horae::detail
