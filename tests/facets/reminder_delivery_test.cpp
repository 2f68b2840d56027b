// The edges of the reminder delivery contract on the manual clock: slow,
// unhandled, skipped and failing deliveries, the failure policy, restart
// order, backlogs beyond the window, the rate limit's queue and shutdown.
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <caf/scheduler/test_coordinator.hpp>

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/facets/timer_due.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include "facets/support/reminder_harness.hpp"
#include "support/log_counter.hpp"
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::in_billing;
using horae::test::reminder_config;
using horae::test::run_in_actor;

namespace {

struct ReminderDelivery : test::reminder_test {
  std::unique_ptr<runtime> rt;

  reminder_service& service() {
    return *rt->find_service<reminder_service>();
  }

  /// Starts a runtime on `cfg`, with `type` defined by `factory` unless
  /// the test wants to define it later.
  void start(config cfg, const std::string& type, actor_factory factory) {
    auto made = runtime::make(std::move(cfg));
    ASSERT_TRUE(made) << describe(made.error());
    rt = std::move(*made);
    if (factory) {
      ASSERT_FALSE(rt->define(type, std::move(factory)));
    }
  }

  /// Registers a reminder from inside (type, key).
  caf::error upsert(const std::string& type, const std::string& key,
                    const std::string& name, clock::duration due,
                    clock::duration period, reminder_options opts = {}) {
    caf::error result = make_error(errc::timeout, "no callback");
    auto ref = rt->ref(type, key);
    if (!ref)
      return ref.error();
    ref->send(run_in_actor{[&](actor* self) {
      if (auto err = reminders(self).upsert(name, due, period, opts,
                                            [&](caf::error e) { result = e; }))
        result = err;
    }});
    rt->run_until_idle();
    return result;
  }

  std::optional<reminder_record> stored(const std::string& type,
                                        const std::string& name) {
    auto row = service().store().get(reminder_key{type, "1", name});
    EXPECT_TRUE(row) << describe(row.error());
    return row ? *row : std::nullopt;
  }

  /// Writes `n` reminders due an hour ago straight into the store file, as
  /// a process that crashed with a backlog would have left them.
  void write_backlog(size_t n) {
    manual_clock clk;
    auto store = outside_store(&clk);
    for (size_t i = 0; i < n; ++i) {
      reminder_record rec;
      rec.key = reminder_key{"billing", std::to_string(i), "late"};
      rec.anchor = rec.due = clk.wall_now() - 1h + std::chrono::seconds{i};
      rec.max_fires = 1;
      auto written = store->upsert(rec, true);
      ASSERT_TRUE(written) << describe(written.error());
    }
    store->close();
  }
};

/// A behaviour that records fires, whose handler first runs `before`.
actor_factory recorder(std::shared_ptr<test::reminder_log> log,
                       std::function<void(const reminder_fired&)> before = {}) {
  return [log, before](actor* self) -> caf::behavior {
    ++log->activations;
    self->attach<reminder_facet>();
    return {
      [log, self, before](const reminder_fired& x) {
        if (before)
          before(x);
        log->fires.push_back({self->display_name(), x});
      },
      [self](const run_in_actor& x) { x.fn(self); },
    };
  };
}

config with(config cfg, const std::string& key, caf::config_value value) {
  if (auto err = cfg.set(key, std::move(value)))
    throw std::runtime_error(describe(err));
  return cfg;
}

} // namespace

// A handler that takes ten times the ack-timeout while the timer thread
// keeps running: the fire reached the behaviour, so it is neither delivered
// again nor left unrecorded.
TEST_F(ReminderDelivery, SlowHandlerGetsEachFireOnceAndEachFireIsRecorded) {
  auto cfg = with(reminder_config(db), "horae.reminders.ack-timeout",
                  caf::config_value{caf::timespan{100ms}});
  runtime* raw = nullptr;
  start(std::move(cfg), "billing", recorder(log, [&raw](const reminder_fired&) {
          // One second of handler time during which timers fire.
          raw->manual_clock()->advance(1s);
          raw->find_service<timer_service>()->poll();
        }));
  raw = rt.get();
  ASSERT_FALSE(upsert("billing", "1", "bill", 1s, 5s));
  rt->advance(20s, 100ms);
  ASSERT_GE(log->fires.size(), 3u);
  for (size_t i = 0; i < log->fires.size(); ++i) {
    EXPECT_EQ(log->fires[i].fired.count, i + 1) << "fire delivered twice";
    EXPECT_EQ(log->fires[i].fired.attempt, 1u);
  }
  auto row = stored("billing", "bill");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->fire_count, log->fires.size()) << "handled fire not recorded";
  EXPECT_EQ(service().failed_attempts(), 0u);
}

// A behaviour without a reminder_fired handler (after `become`) does not
// acknowledge the fire: the one-shot stays stored, and the retry reaches
// the behaviour that handles it.
TEST_F(ReminderDelivery, UnhandledFireIsRetriedNotRecorded) {
  start(reminder_config(db), "billing", recorder(log));
  ASSERT_FALSE(upsert("billing", "1", "once", 10s, 0s));
  in_billing(*rt, "1", [](actor* self) {
    self->become([self](const run_in_actor& x) { x.fn(self); });
  });
  rt->advance(10s, 100ms);
  EXPECT_EQ(service().failed_attempts(), 1u);
  EXPECT_TRUE(stored("billing", "once")) << "unhandled one-shot was deleted";
  EXPECT_TRUE(log->fires.empty());
  auto handled = log;
  in_billing(*rt, "1", [handled](actor* self) {
    self->become([handled, self](const reminder_fired& x) {
      handled->fires.push_back({self->display_name(), x});
    });
  });
  rt->advance(1s, 100ms); // default policy: first retry after 1 s
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.attempt, 2u);
  EXPECT_FALSE(stored("billing", "once")) << "handled one-shot not finished";
}

// A skipped fire stays in the mailbox unacknowledged (even past the
// ack-timeout) and is recorded once the behaviour finally handles it.
TEST_F(ReminderDelivery, SkippedFireIsRecordedOnlyWhenHandled) {
  auto handled = log;
  start(reminder_config(db), "billing",
        [handled](actor* self) -> caf::behavior {
          self->attach<reminder_facet>();
          return {
            [](const reminder_fired&) { return caf::skip(); },
            [self, handled](const run_in_actor& x) { x.fn(self); },
          };
        });
  ASSERT_FALSE(upsert("billing", "1", "once", 1s, 0s));
  rt->advance(2min, 1s);
  EXPECT_TRUE(stored("billing", "once")) << "skipped fire was acknowledged";
  EXPECT_EQ(service().delivered(), 1u) << "skipped fire was delivered again";
  in_billing(*rt, "1", [handled](actor* self) {
    self->become([handled, self](const reminder_fired& x) {
      handled->fires.push_back({self->display_name(), x});
    });
  });
  rt->run_until_idle();
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_FALSE(stored("billing", "once"));
}

// A handler that always throws gets 1 + max-retries attempts with growing
// pauses, then the fire is dropped: recorded as failed, and the periodic
// reminder moves on to its next tick.
TEST_F(ReminderDelivery, ThrowingHandlerIsRetriedWithBackoffThenDropped) {
  std::vector<std::pair<uint32_t, clock::wall_time>> attempts;
  runtime* raw = nullptr;
  start(reminder_config(db), "billing",
        recorder(log, [&](const reminder_fired& x) {
          attempts.emplace_back(x.attempt, raw->clock().wall_now());
          if (x.count == 1)
            throw std::runtime_error("handler failure");
        }));
  raw = rt.get();
  reminder_options opts;
  opts.on_failure = failure_policy{2, 1s, 10s, exhausted_action::drop};
  ASSERT_FALSE(upsert("billing", "1", "bill", 1s, 1min, opts));
  rt->advance(10s, 100ms);
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].first, 1u);
  EXPECT_EQ(attempts[2].first, 3u);
  EXPECT_GE(attempts[1].second - attempts[0].second, 1s);
  EXPECT_GE(attempts[2].second - attempts[1].second, 2s) << "no backoff";
  EXPECT_EQ(service().dropped_fires(), 1u);
  auto row = stored("billing", "bill");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->fire_count, 1u);
  EXPECT_EQ(row->failed_fires, 1u);
  ASSERT_TRUE(row->on_failure) << "per-reminder policy not stored";
  EXPECT_EQ(row->on_failure->max_retries, 2u);
  rt->advance(1min, 1s);
  ASSERT_EQ(log->fires.size(), 1u) << "next tick not delivered";
  EXPECT_EQ(log->fires[0].fired.count, 2u);
}

// With retry_forever, a fire outlives any number of failures.
TEST_F(ReminderDelivery, RetryForeverKeepsTheFireUntilHandled) {
  int failures = 0;
  start(reminder_config(db), "billing",
        recorder(log, [&](const reminder_fired&) {
          if (++failures <= 6)
            throw std::runtime_error("not yet");
        }));
  reminder_options opts;
  opts.on_failure
    = failure_policy{0, 100ms, 1s, exhausted_action::retry_forever};
  ASSERT_FALSE(upsert("billing", "1", "once", 1s, 0s, opts));
  rt->advance(10s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.attempt, 7u);
  EXPECT_EQ(service().dropped_fires(), 0u);
  EXPECT_FALSE(stored("billing", "once"));
}

// Bad failure policies are rejected at registration.
TEST_F(ReminderDelivery, BadFailurePolicyIsRejected) {
  start(reminder_config(db), "billing", recorder(log));
  reminder_options opts;
  opts.on_failure = failure_policy{3, -1s, 1s, exhausted_action::drop};
  EXPECT_EQ(code_of(upsert("billing", "1", "a", 1s, 0s, opts)),
            errc::invalid_argument);
  opts.on_failure = failure_policy{3, 10s, 1s, exhausted_action::drop};
  EXPECT_EQ(code_of(upsert("billing", "1", "a", 1s, 0s, opts)),
            errc::invalid_argument);
  opts.on_failure = failure_policy{5000, 1s, 1s, exhausted_action::drop};
  EXPECT_EQ(code_of(upsert("billing", "1", "a", 1s, 0s, opts)),
            errc::out_of_range);
  opts.on_failure = failure_policy{3, 1s, 1s, static_cast<exhausted_action>(7)};
  EXPECT_EQ(code_of(upsert("billing", "1", "a", 1s, 0s, opts)),
            errc::invalid_argument);
}

// After a restart, overdue reminders of a type the application defines only
// after `runtime::make` go out as soon as it is defined, not an ack-timeout
// later.
TEST_F(ReminderDelivery, OverdueFireWaitsForItsTypeAndGoesOutOnDefine) {
  write_backlog(3);
  start(reminder_config(db), "billing", nullptr);
  rt->advance(5s, 100ms);
  EXPECT_EQ(service().delivered(), 0u);
  EXPECT_EQ(service().failed_attempts(), 0u);
  ASSERT_FALSE(rt->define("billing", recorder(log)));
  rt->advance(100ms, 1ms);
  EXPECT_EQ(log->fires.size(), 3u) << "not delivered within 100 ms of define";
}

// `runtime::make` with a setup function defines types before delivery.
TEST_F(ReminderDelivery, TypesDefinedInSetupSeeTheFirstDelivery) {
  write_backlog(2);
  auto made = runtime::make(reminder_config(db), [this](runtime& r) {
    return r.define("billing", recorder(log));
  });
  ASSERT_TRUE(made) << describe(made.error());
  rt = std::move(*made);
  rt->advance(10ms, 1ms);
  EXPECT_EQ(log->fires.size(), 2u);
}

// A backlog far larger than the window is loaded a window at a time: the
// dispatcher never holds more than max-window reminders, and every one is
// delivered exactly once.
TEST_F(ReminderDelivery, BacklogBeyondMaxWindowIsDeliveredWithinTheBound) {
  write_backlog(500);
  auto cfg = with(reminder_config(db), "horae.reminders.max-window",
                  caf::config_value{50});
  cfg
    = with(std::move(cfg), "horae.reminders.load-batch", caf::config_value{20});
  start(std::move(cfg), "billing", recorder(log));
  rt->advance(5s, 10ms);
  EXPECT_EQ(log->fires.size(), 500u);
  EXPECT_LE(service().window_peak(), 50u);
  EXPECT_EQ(service().window_size(), 0u);
  std::set<std::string> actors;
  for (const auto& f : log->fires)
    actors.insert(f.actor);
  EXPECT_EQ(actors.size(), 500u) << "a reminder was delivered twice";
}

// Fires held back by the rate limit wait in one queue behind one timer,
// not one timer each, and still go out at the configured rate.
TEST_F(ReminderDelivery, ThrottledFiresWaitBehindOneTimer) {
  write_backlog(200);
  auto cfg = with(reminder_config(db), "horae.reminders.max-delivery-rate",
                  caf::config_value{10});
  start(std::move(cfg), "billing", recorder(log));
  rt->advance(100ms, 10ms);
  EXPECT_LE(rt->find_service<timer_service>()->pending(), 3u)
    << "a timer per waiting fire";
  rt->advance(5s, 10ms);
  // A burst of one second's worth, then 10 per second.
  EXPECT_GE(log->fires.size(), 55u);
  EXPECT_LE(log->fires.size(), 62u);
  rt->advance(20s, 100ms);
  EXPECT_EQ(log->fires.size(), 200u);
}

// The completion of a write still queued at shutdown reaches its actor.
TEST_F(ReminderDelivery, CompletionsOfWritesPendingAtShutdownRun) {
  start(reminder_config(db), "billing", recorder(log));
  std::vector<caf::error> results;
  auto ref = rt->ref("billing", "1");
  ASSERT_TRUE(ref);
  ref->send(run_in_actor{[&](actor* self) {
    for (int i = 0; i < 10; ++i)
      EXPECT_FALSE(reminders(self).upsert(
        "r" + std::to_string(i), 1min, 0s, {},
        [&](caf::error err) { results.push_back(err); }));
  }});
  // Run the actor only: the writes are queued, none has completed.
  auto& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(rt->system().scheduler());
  while (sched.try_run_once())
    ; // nop
  rt->shutdown();
  EXPECT_EQ(results.size(), 10u) << "completions lost at shutdown";
  for (const auto& err : results)
    EXPECT_FALSE(err) << describe(err);
}

// A refill racing with shutdown finds the store closed: no error is logged.
TEST_F(ReminderDelivery, ShutdownLogsNoError) {
  auto cfg = with(reminder_config(db), "horae.log.level",
                  caf::config_value{std::string{"warn"}});
  start(std::move(cfg), "billing", recorder(log));
  test::counted_log lines{"reminders"};
  auto dispatcher = service().dispatcher();
  service().stop(); // closes the store under the running dispatcher
  caf::anon_send(dispatcher, timer_due{0, {}, {}});
  rt->run_until_idle();
  rt->shutdown();
  EXPECT_EQ(lines->at_least(spdlog::level::err), 0);
}

// A store that keeps failing (here: locked by another process) is logged
// as one fault: a line when it starts, a summary every 30 s, a line when
// it clears; not a line per reminder and retry.
TEST_F(ReminderDelivery, LastingStoreFaultIsLoggedOnceWithSummaries) {
  auto cfg = with(reminder_config(db), "horae.log.level",
                  caf::config_value{std::string{"info"}});
  cfg = with(std::move(cfg), "horae.reminders.busy-timeout",
             caf::config_value{caf::timespan{0s}});
  start(std::move(cfg), "billing", recorder(log));
  for (int i = 0; i < 10; ++i)
    ASSERT_FALSE(upsert("billing", std::to_string(i), "tick", 1s, 1s));
  test::counted_log lines{"reminders"};
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  rt->advance(65s, 100ms);
  EXPECT_EQ(lines->at(spdlog::level::err), 1);
  EXPECT_LE(lines->at(spdlog::level::warn), 2) << "a line per retry";
  EXPECT_GE(lines->at(spdlog::level::warn), 1) << "no summary";
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  rt->advance(2s, 100ms);
  EXPECT_TRUE(lines->saw("recovered")) << "the end of the fault not logged";
  EXPECT_EQ(lines->at(spdlog::level::err), 1);
}

// Real time: handlers stuck for several ack-timeouts (150 ms and 700 ms
// against 100 ms) on a one-second reminder and a one-shot. Each fire is
// delivered exactly once and recorded, and the one-shot never arrives again
// after it was recorded and deleted.
TEST(ReminderDeliverySlow, StuckHandlersGetEachFireExactlyOnce) {
  test::temp_dir dir;
  auto db = dir.file("reminders.db");
  auto cfg = reminder_config(db);
  cfg.manual_time = false;
  cfg = with(std::move(cfg), "horae.reminders.ack-timeout",
             caf::config_value{caf::timespan{100ms}});
  std::mutex mtx;
  std::vector<std::pair<std::string, uint64_t>> seen;
  auto made = runtime::make(std::move(cfg), [&](runtime& r) {
    return r.define("billing", [&](actor* self) -> caf::behavior {
      self->attach<reminder_facet>();
      return {
        [&](const reminder_fired& x) {
          {
            std::lock_guard<std::mutex> guard{mtx};
            seen.emplace_back(x.name, x.count);
          }
          std::this_thread::sleep_for(x.name == "once" ? 700ms : 150ms);
        },
        [self](const run_in_actor& x) { x.fn(self); },
      };
    });
  });
  ASSERT_TRUE(made) << describe(made.error());
  auto& rt = **made;
  std::promise<void> registered;
  rt.ref("billing", "1")->send(run_in_actor{[&](actor* self) {
    EXPECT_FALSE(reminders(self).upsert("tick", 200ms, 1s));
    EXPECT_FALSE(reminders(self).upsert("once", 300ms, 0s));
    registered.set_value();
  }});
  registered.get_future().wait();
  std::this_thread::sleep_for(4500ms);
  auto* svc = rt.find_service<reminder_service>();
  auto row = svc->store().get(reminder_key{"billing", "1", "tick"});
  auto once = svc->store().get(reminder_key{"billing", "1", "once"});
  auto failed = svc->failed_attempts();
  rt.shutdown();
  std::map<std::string, std::vector<uint64_t>> counts;
  for (auto& [name, count] : seen)
    counts[name].push_back(count);
  ASSERT_EQ(counts["once"].size(), 1u) << "one-shot delivered again";
  ASSERT_GE(counts["tick"].size(), 3u);
  for (size_t i = 0; i < counts["tick"].size(); ++i)
    EXPECT_EQ(counts["tick"][i], i + 1) << "a fire was delivered twice";
  ASSERT_TRUE(row && *row);
  // The last fire may still be in its handler when sampled.
  EXPECT_GE((*row)->fire_count + 1, counts["tick"].size());
  ASSERT_TRUE(once);
  EXPECT_FALSE(*once) << "handled one-shot not recorded";
  EXPECT_EQ(failed, 0u);
}
