// ReminderFacet: durable, named reminders of a virtual actor. They survive
// deactivation, restarts and crashes, and a due reminder activates its actor.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/facet.hpp>
#include <horae/core/names.hpp>
#include <horae/facets/reminder_options.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae {

class cron_schedule;
class reminder_service;

/// Durable reminders scoped to one virtual actor (type, key).
///
/// Writes are asynchronous: `upsert` and `remove` check their arguments at
/// once (returning an error value) and then commit in a group with other
/// writes; the optional callback runs inside the actor once the write is
/// durable or has failed. Delivery is at-least-once and never early: a fire
/// is recorded only after the behaviour handled the `reminder_fired`.
class reminder_facet final : public facet {
public:
  // -- member types -----------------------------------------------------------

  /// Called inside the actor with the outcome of a write.
  using completion = std::function<void(caf::error)>;

  // -- constants --------------------------------------------------------------

  /// Name in config files.
  static constexpr std::string_view facet_name = "reminders";

  /// Longest reminder name (the limit of every name horae takes).
  static constexpr size_t max_name_length = horae::max_name_length;

  // -- reminder management ----------------------------------------------------

  /// Registers or updates the reminder `name`, first due after `due_in`,
  /// then every `period` (zero: one-shot).
  /// @returns `invalid_argument` for an empty or too long name, a negative
  ///          delay, period or TTL, a too large payload, or an actor that is
  ///          not virtual; `out_of_range` for a period below the minimum or
  ///          durations over 100 years; `not_found` without a reminder
  ///          service. Storage errors and `already_exists` (with
  ///          `overwrite = false`) reach `done`.
  caf::error upsert(const std::string& name, clock::duration due_in,
                    clock::duration period, reminder_options options = {},
                    completion done = {});

  /// Registers or updates the reminder `name`, first due at the wall-clock
  /// time `at`, then every `period` after it (zero: one-shot). A time in
  /// the past is due at once, as if the reminder had been registered then:
  /// a periodic one's missed ticks follow its missed-tick policy. Never
  /// early: the first fire is delivered at `at` or later, whatever the
  /// monotonic clock does.
  /// @returns the errors of `upsert`, and `out_of_range` for a time after
  ///          the latest a reminder may have (1 January 2200).
  caf::error upsert_at(const std::string& name, clock::wall_time at,
                       clock::duration period, reminder_options options = {},
                       completion done = {});

  /// Registers or updates the reminder `name` on a cron schedule: it fires
  /// at every minute that `expression` matches in `time_zone`, first at the
  /// next such minute after now. Daylight saving follows
  /// `cron_schedule`: a minute the clock skips fires once as the gap ends,
  /// a minute that occurs twice fires once, at its first occurrence. Missed
  /// ticks follow the missed-tick policy; never early.
  /// @param expression five fields `minute hour day-of-month month
  ///        day-of-week`, e.g. `0 9 * * mon-fri` (see `parse_cron_fields`).
  /// @param time_zone an IANA name such as `Europe/Berlin`.
  /// @returns the errors of `upsert` (but for the period), and
  ///          `invalid_argument` for a bad expression (naming the field
  ///          and text) or an unknown time zone; `out_of_range` if the
  ///          schedule never matches before 2200.
  caf::error upsert_cron(const std::string& name, const std::string& expression,
                         const std::string& time_zone = "UTC",
                         reminder_options options = {}, completion done = {});

  /// Deletes the reminder `name`; `done` receives `not_found` if it did not
  /// exist. @returns argument errors at once.
  caf::error remove(const std::string& name, completion done = {});

  /// Reads the reminder `name` from the store.
  caf::expected<std::optional<reminder_record>>
  get(const std::string& name) const;

  /// Reads every reminder of this actor, ordered by name.
  caf::expected<std::vector<reminder_record>> list() const;

  // -- facet interface --------------------------------------------------------

  std::string_view name() const noexcept override;

  int priority() const noexcept override;

  void on_attach(actor& self) override;

  void on_detach(actor& self) override;

  message_filter intercepts() const override;

  intercept before_message(actor& self,
                           const caf::type_erased_tuple& content) override;

  void after_message(actor& self, const caf::type_erased_tuple& content,
                     message_outcome outcome) override;

private:
  /// Writes the reminder anchored at `anchor`, on the grid of `period` or
  /// on the cron schedule `cron` (may be null).
  caf::error upsert_anchored(const std::string& name, clock::wall_time anchor,
                             clock::duration period, reminder_options options,
                             completion done,
                             const cron_schedule* cron = nullptr);

  caf::error check_ready() const;

  std::function<void(caf::error)> route(completion done);

  actor* self_ = nullptr;
  reminder_service* service_ = nullptr;
  struct pending_ack {
    caf::actor dispatcher;
    reminder_key key;
    uint64_t fire_id;
  };
  std::optional<pending_ack> pending_ack_;
  /// The fires this activation handled last (ids are unique per runtime),
  /// so that a redelivered copy of one is dropped instead of handled twice.
  /// A fixed ring: constant memory however many reminders an actor has.
  std::array<uint64_t, 32> recently_handled_{};
  size_t next_handled_slot_ = 0;
};

/// @returns the ReminderFacet of `self`.
/// @throws missing_facet if `self` has none.
inline reminder_facet& reminders(actor* self) {
  return self->facet<reminder_facet>();
}

} // namespace horae
