// The reminder service: owns the reminder store and the dispatcher actor that
// loads due reminders onto the timer service, activates their actors,
// delivers fires and records them once handled.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/service.hpp>
#include <horae/facets/defaults.hpp>
#include <horae/journaling/reminder_store.hpp>

namespace horae {

class runtime;

namespace detail {
class reminder_dispatcher;
class write_tracker;
struct delivery_counters;
} // namespace detail

/// Settings of the reminder service (`horae.reminders.*`).
struct reminder_service_config {
  /// The store as messages name it: the SQLite database file, or the
  /// PostgreSQL server and database (never the password).
  std::string db_path = std::string{defaults::reminders::db};
  /// Only reminders due within this window are held in memory.
  clock::duration lookahead = defaults::reminders::lookahead;
  /// Most rows read per window refill.
  size_t load_batch = defaults::reminders::load_batch;
  /// Shortest period a reminder may have.
  clock::duration min_period = defaults::reminders::min_period;
  /// Most deliveries per second (token bucket with one second of burst);
  /// keeps a cold start with many overdue reminders from stampeding.
  uint64_t max_delivery_rate = defaults::reminders::max_delivery_rate;
  /// A delivery that has not reached its actor's behaviour within this time
  /// counts as lost and is retried. Once the behaviour has it, only its
  /// outcome (or the end of its activation) decides.
  clock::duration ack_timeout = defaults::reminders::ack_timeout;
  /// Most reminders held in memory; the rest of a backlog waits in the
  /// store until there is room.
  size_t max_window = defaults::reminders::max_window;
  /// Retries of a failed fire, for reminders registered without their own.
  failure_policy on_failure;
  /// Largest payload a reminder may carry.
  size_t max_payload_bytes = defaults::reminders::max_payload_bytes;
  /// How long a write may wait on the store (a locked SQLite file, a
  /// PostgreSQL statement); shutdown waits this long for queued writes.
  std::chrono::milliseconds busy_timeout = defaults::reminders::busy_timeout;
  /// Cluster mode: whether this node fires the reminder (it holds the
  /// partition of its actor). Unset: every reminder is this node's. Called
  /// on the dispatcher's thread; must be cheap and thread-safe.
  std::function<bool(const reminder_key&)> owns;
};

/// Runtime service behind ReminderFacet.
///
/// Store completions arrive on the store's writer thread. With a real clock
/// they are forwarded at once; with a manual clock they are queued and run
/// by `poll`, which first waits for outstanding writes, so that tests see
/// every durable write deterministically. At shutdown, `quiesce` waits for
/// every write in flight before any actor stops, so each caller's
/// completion reaches a live actor.
class reminder_service final : public service {
public:
  // -- constructors, destructors, and assignment operators --------------------

  reminder_service(runtime& rt, std::unique_ptr<reminder_store> store,
                   reminder_service_config cfg);

  ~reminder_service() override;

  // -- service interface ------------------------------------------------------

  std::string_view name() const noexcept override;

  void start() override;

  void quiesce() override;

  void stop() override;

  size_t poll() override;

  // -- cluster mode -----------------------------------------------------------

  /// Tells the dispatcher that the partitions this node holds changed, so
  /// that it drops reminders given up and reads those taken over. Safe
  /// from any thread, also before `start` and after `stop`.
  void ownership_changed();

  // -- observers --------------------------------------------------------------

  const reminder_service_config& config() const noexcept {
    return config_;
  }

  reminder_store& store() noexcept {
    return *store_;
  }

  /// @returns the dispatcher actor (valid after `start`).
  const caf::actor& dispatcher() const noexcept {
    return dispatcher_;
  }

  /// @returns how many fires were delivered to actors so far (retries
  ///          included).
  uint64_t delivered() const noexcept;

  /// @returns how many deliveries failed: not handled by the behaviour, the
  ///          handler threw, the activation ended first, or the delivery
  ///          was lost.
  uint64_t failed_attempts() const noexcept;

  /// @returns how many fires were given up after their retries.
  uint64_t dropped_fires() const noexcept;

  /// @returns how many reminders the dispatcher holds in memory now.
  size_t window_size() const noexcept;

  /// @returns the most reminders the dispatcher held at once so far; never
  ///          above `max-window` but for writes due before the loaded part
  ///          of a backlog.
  size_t window_peak() const noexcept;

  runtime& owner() noexcept {
    return *runtime_;
  }

  // -- store access for the facet ---------------------------------------------

  /// Writes `rec`; `done` runs in completion context (see class comment).
  /// Once it is durable, the dispatcher learns of it before `done` runs:
  /// the service is the one owner of "the store changed".
  void upsert(reminder_record rec, bool overwrite,
              std::function<void(caf::error)> done);

  /// Deletes `key`; `done` runs in completion context. Once it is durable,
  /// the dispatcher learns of it before `done` runs.
  void remove(const reminder_key& key, std::function<void(caf::error)> done);

  /// Records a handled or given-up fire; `done` runs in completion context.
  void record_fire(reminder_key key, uint64_t revision, uint64_t fire_count,
                   std::optional<clock::wall_time> next_due,
                   reminder_store::fire_outcome outcome,
                   std::function<void(caf::expected<bool>)> done);

private:
  friend class detail::reminder_dispatcher; // counts what it delivers

  runtime* runtime_;
  std::unique_ptr<reminder_store> store_;
  reminder_service_config config_;
  caf::actor dispatcher_;
  /// Guards `dispatcher_` against `ownership_changed` from another thread.
  std::mutex dispatcher_mtx_;
  std::unique_ptr<detail::write_tracker> writes_;
  std::unique_ptr<detail::delivery_counters> counters_;
};

} // namespace horae
