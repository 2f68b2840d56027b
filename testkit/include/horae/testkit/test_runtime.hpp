// A runtime for tests in one line: manual time, the timers module, and on
// request the reminders module on a temporary store that is removed
// afterwards (a SQLite file, or a schema on a PostgreSQL server). Time moves
// only when the test says so; nothing sleeps.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include <horae/core/module.hpp>
#include <horae/core/runtime.hpp>
#include <horae/testkit/scratch_schema.hpp>

namespace horae::testkit {

/// What `test_runtime` sets up.
struct test_runtime_options {
  /// Add the reminders module on a temporary store.
  bool reminders = false;
  /// Keep the reminders in a scratch schema on this PostgreSQL server
  /// (connection string or URI) instead of a SQLite file in a temporary
  /// folder. Empty: HORAE_TESTKIT_POSTGRES decides (see
  /// `postgres_from_environment`), so one suite runs against both stores
  /// unchanged; unset, SQLite.
  std::string postgres;
  /// Further settings, as on a command line: `--horae.timers.resolution=5ms`.
  std::vector<std::string> args;
  /// Further modules, e.g. an application's own.
  std::vector<module> modules;
  /// Log level of the runtime; tests provoke errors on purpose.
  std::string log_level = "off";
  /// Runs before the services start, as `runtime::make`'s setup: define
  /// the actor types here.
  runtime::setup_fn setup;
};

/// A manual-time runtime with everything a timer or reminder test needs.
///
/// @code
/// testkit::test_runtime t;
/// auto p = testkit::probe::make();
/// auto a = t->spawn(p->recorder());
/// t.run_in(a, [](actor& self) { timers(&self).start_once("t", 5s); });
/// t.advance(5s);
/// EXPECT_TRUE(p->fired_once_at("t", t.start() + 5s));
/// @endcode
class test_runtime {
public:
  /// @throws std::runtime_error naming the problem if the runtime cannot be
  ///         made (bad settings, an unusable temporary folder).
  explicit test_runtime(test_runtime_options options = {});

  /// Shuts the runtime down and removes the temporary store.
  ~test_runtime();

  test_runtime(const test_runtime&) = delete;
  test_runtime& operator=(const test_runtime&) = delete;

  runtime& operator*() noexcept {
    return *rt_;
  }

  runtime* operator->() noexcept {
    return rt_.get();
  }

  // -- time -------------------------------------------------------------------

  /// @returns the manual clock's reading when the runtime was made.
  clock::time_point start() const noexcept {
    return start_;
  }

  /// @returns the manual clock's reading now.
  clock::time_point now() const;

  /// Moves time by `d` in steps of at most `step`, running every service
  /// and actor until idle after each step.
  void advance(clock::duration d,
               clock::duration step = std::chrono::milliseconds{1});

  // -- acting inside actors ---------------------------------------------------

  /// Runs `fn` inside `dest` (which needs the runner facet, as `probe`
  /// behaviours have) and everything that follows until idle.
  void run_in(const caf::actor& dest, std::function<void(actor&)> fn);

  /// Queues `fn` for `dest`, then moves time by `d` without running any
  /// actor, so that the fires due by then land in the mailboxes *behind*
  /// `fn`; then runs everything. `fn` thus runs while those fires are
  /// already queued: the case of a cancel or replace racing a fire.
  void run_in_before_fires(const caf::actor& dest, clock::duration d,
                           std::function<void(actor&)> fn);

  /// @returns the folder of a SQLite reminder store (empty without
  ///          reminders or on PostgreSQL).
  const std::string& store_folder() const noexcept {
    return folder_;
  }

private:
  std::string folder_;
  /// The store's schema on PostgreSQL; outlives the runtime.
  std::unique_ptr<scratch_schema> schema_;
  std::unique_ptr<runtime> rt_;
  clock::time_point start_;
};

/// A module declaring the "test-runner" facet, so that config files and
/// `actor_type_options` can attach it to virtual actor types.
module testkit_module();

} // namespace horae::testkit
