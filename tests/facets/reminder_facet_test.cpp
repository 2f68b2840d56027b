// ReminderFacet on the manual clock: persistence across deactivation and
// restart, missed-tick policies, rate limit, limits and bad input.
#include <fstream>

#include <horae/core/error.hpp>

#include "facets/support/reminder_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::in_billing;
using horae::test::reminder_config;
using horae::test::reminder_log;
using horae::test::reminder_runtime;

namespace {

struct ReminderFacet : test::reminder_test {

  std::unique_ptr<runtime> start(clock::duration idle = 5min) {
    return reminder_runtime(reminder_config(db), log, idle);
  }

  static caf::error upsert(runtime& rt, const std::string& key,
                           const std::string& name, clock::duration due,
                           clock::duration period, reminder_options opts = {}) {
    caf::error sync;
    caf::error async = make_error(errc::timeout, "no callback");
    in_billing(rt, key, [&](actor* self) {
      sync = reminders(self).upsert(name, due, period, opts,
                                    [&](caf::error err) { async = err; });
    });
    rt.run_until_idle();
    return sync ? sync : async;
  }
};

} // namespace

// A reminder fires after its due time and then on its period.
TEST_F(ReminderFacet, FiresOnSchedule) {
  auto rt = start();
  auto t0 = rt->clock().wall_now();
  ASSERT_FALSE(upsert(*rt, "1", "bill", 10s, 5s));
  rt->advance(9s, 100ms);
  EXPECT_EQ(log->fires.size(), 0u) << "fired early";
  rt->advance(1s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].actor, "billing/1");
  EXPECT_EQ(log->fires[0].fired.count, 1u);
  EXPECT_EQ(log->fires[0].fired.scheduled, t0 + 10s);
  EXPECT_GE(log->fires[0].fired.actual, log->fires[0].fired.scheduled);
  rt->advance(10s, 100ms);
  ASSERT_EQ(log->fires.size(), 3u);
  EXPECT_EQ(log->fires[2].fired.count, 3u);
  EXPECT_EQ(log->fires[2].fired.scheduled, t0 + 20s);
}

// A deactivated actor is re-activated by its reminder.
TEST_F(ReminderFacet, ReactivatesDeactivatedActor) {
  auto rt = start(2s);
  ASSERT_FALSE(upsert(*rt, "7", "sla", 10s, 10s));
  rt->advance(3s, 100ms);
  EXPECT_EQ(rt->registry().active_count(), 0u) << "not deactivated";
  rt->advance(7s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->activations, 2);
}

// Reminders survive a restarted runtime on the same file.
TEST_F(ReminderFacet, PersistsAcrossRestart) {
  {
    auto rt = start();
    ASSERT_FALSE(upsert(*rt, "1", "bill", 10s, 10s));
    rt->advance(10s, 100ms);
    ASSERT_EQ(log->fires.size(), 1u);
  }
  log->fires.clear();
  auto rt = start();
  // The new process starts at the same wall time as the first one did, so
  // move it past the next due time (t0 + 20s).
  rt->manual_clock()->set_wall(rt->clock().wall_now() + 20s);
  rt->run_until_idle();
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.count, 2u);
  EXPECT_EQ(log->fires[0].fired.missed, 0u);
}

namespace {

// Registers "r" due at t0+10s every 10s, restarts with the wall clock at
// t0 + 45s, runs until idle and returns the fires.
std::vector<reminder_log::entry>
after_downtime(const std::string& db, missed_tick_policy policy,
               std::shared_ptr<reminder_log> log) {
  {
    auto rt = reminder_runtime(reminder_config(db), log);
    reminder_options opts;
    opts.policy = policy;
    caf::error err = make_error(errc::timeout);
    in_billing(*rt, "1", [&](actor* self) {
      EXPECT_FALSE(reminders(self).upsert("r", 10s, 10s, opts,
                                          [&](caf::error e) { err = e; }));
    });
    rt->run_until_idle();
    EXPECT_FALSE(err) << describe(err);
  }
  log->fires.clear();
  auto rt = reminder_runtime(reminder_config(db), log);
  rt->manual_clock()->set_wall(rt->clock().wall_now() + 45s);
  rt->advance(1s, 10ms);
  auto result = log->fires;
  rt->advance(5s, 100ms); // reach the grid point at t0 + 50s
  return result;
}

} // namespace

// fire_once: one fire counting the missed ticks, then back on the grid.
TEST_F(ReminderFacet, MissedTicksFireOnce) {
  auto fires = after_downtime(db, missed_tick_policy::fire_once, log);
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].fired.missed, 3u); // ticks at 20, 30 and 40s
  EXPECT_EQ(fires[0].fired.count, 1u);
  ASSERT_EQ(log->fires.size(), 2u);
  EXPECT_EQ(log->fires[1].fired.scheduled - fires[0].fired.scheduled, 40s);
  EXPECT_EQ(log->fires[1].fired.missed, 0u);
}

// skip: the late tick is dropped; the next grid point fires normally.
TEST_F(ReminderFacet, MissedTicksSkip) {
  auto fires = after_downtime(db, missed_tick_policy::skip, log);
  EXPECT_TRUE(fires.empty());
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.missed, 0u);
  EXPECT_EQ(log->fires[0].fired.count, 1u);
}

// catch_up: every missed tick is delivered, in order.
TEST_F(ReminderFacet, MissedTicksCatchUp) {
  auto fires = after_downtime(db, missed_tick_policy::catch_up, log);
  ASSERT_EQ(fires.size(), 4u); // ticks at 10, 20, 30 and 40s
  for (size_t i = 0; i < fires.size(); ++i) {
    EXPECT_EQ(fires[i].fired.count, i + 1);
    EXPECT_EQ(fires[i].fired.missed, 0u);
  }
  EXPECT_EQ(fires[3].fired.scheduled - fires[0].fired.scheduled, 30s);
}

// After a cold start with many overdue reminders, delivery is rate limited.
TEST_F(ReminderFacet, ColdStartIsRateLimited) {
  {
    auto rt = start();
    for (int i = 0; i < 40; ++i)
      ASSERT_FALSE(upsert(*rt, std::to_string(i), "r", 1s, 0s));
  }
  auto cfg = reminder_config(db);
  ASSERT_FALSE(cfg.set("horae.reminders.max-delivery-rate",
                       caf::config_value{int64_t{10}}));
  auto rt = reminder_runtime(std::move(cfg), log);
  rt->manual_clock()->set_wall(rt->clock().wall_now() + 1h);
  rt->run_until_idle();
  EXPECT_EQ(log->fires.size(), 10u) << "burst of one second's worth";
  rt->advance(1s, 10ms);
  EXPECT_EQ(log->fires.size(), 20u);
  rt->advance(2s, 10ms);
  EXPECT_EQ(log->fires.size(), 40u);
}

// A one-shot (period 0) fires once and is deleted.
TEST_F(ReminderFacet, OneShotFiresOnceAndIsDeleted) {
  auto rt = start();
  ASSERT_FALSE(upsert(*rt, "1", "once", 2s, 0s));
  rt->advance(10s, 100ms);
  EXPECT_EQ(log->fires.size(), 1u);
  in_billing(*rt, "1", [](actor* self) {
    auto r = reminders(self).get("once");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_value());
  });
}

// max_fires stops a periodic reminder after that many fires.
TEST_F(ReminderFacet, MaxFiresLimitsDeliveries) {
  auto rt = start();
  reminder_options opts;
  opts.max_fires = 3;
  ASSERT_FALSE(upsert(*rt, "1", "three", 1s, 1s, opts));
  rt->advance(10s, 100ms);
  EXPECT_EQ(log->fires.size(), 3u);
}

// A TTL ends a reminder even if it has fires left.
TEST_F(ReminderFacet, TtlExpiresReminder) {
  auto rt = start();
  reminder_options opts;
  opts.ttl = 3500ms;
  ASSERT_FALSE(upsert(*rt, "1", "ttl", 1s, 1s, opts));
  rt->advance(10s, 100ms);
  EXPECT_EQ(log->fires.size(), 3u); // at 1, 2 and 3s
}

// overwrite=false fails with already_exists, reported to the callback.
TEST_F(ReminderFacet, OverwriteFalseFailsIfExists) {
  auto rt = start();
  ASSERT_FALSE(upsert(*rt, "1", "x", 5s, 5s));
  reminder_options opts;
  opts.overwrite = false;
  EXPECT_EQ(code_of(upsert(*rt, "1", "x", 5s, 5s, opts)), errc::already_exists);
  opts.overwrite = true;
  EXPECT_FALSE(upsert(*rt, "1", "x", 7s, 5s, opts));
}

// Replacing a reminder reschedules it; the old schedule never fires.
TEST_F(ReminderFacet, UpsertReplacesSchedule) {
  auto rt = start();
  auto t0 = rt->clock().wall_now();
  ASSERT_FALSE(upsert(*rt, "1", "x", 5s, 0s));
  ASSERT_FALSE(upsert(*rt, "1", "x", 8s, 0s));
  rt->advance(10s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.scheduled, t0 + 8s);
}

// Removing a reminder stops it; removing a missing one is not_found.
TEST_F(ReminderFacet, RemoveStopsReminder) {
  auto rt = start();
  ASSERT_FALSE(upsert(*rt, "1", "x", 5s, 5s));
  caf::error err = make_error(errc::timeout);
  in_billing(*rt, "1", [&](actor* self) {
    ASSERT_FALSE(reminders(self).remove("x", [&](caf::error e) { err = e; }));
  });
  rt->run_until_idle();
  EXPECT_FALSE(err);
  rt->advance(20s, 100ms);
  EXPECT_TRUE(log->fires.empty());
  in_billing(*rt, "1", [&](actor* self) {
    ASSERT_FALSE(reminders(self).remove("x", [&](caf::error e) { err = e; }));
  });
  rt->run_until_idle();
  EXPECT_EQ(code_of(err), errc::not_found);
}

// Two actors with the same reminder name each get only their own fires.
TEST_F(ReminderFacet, RemindersAreScopedToTheirActor) {
  auto rt = start();
  ASSERT_FALSE(upsert(*rt, "a", "bill", 2s, 2s));
  ASSERT_FALSE(upsert(*rt, "b", "bill", 3s, 3s));
  rt->advance(6s, 100ms);
  EXPECT_EQ(log->count("billing/a", "bill"), 3u);
  EXPECT_EQ(log->count("billing/b", "bill"), 2u);
  in_billing(*rt, "a", [](actor* self) {
    auto xs = reminders(self).list();
    ASSERT_TRUE(xs);
    ASSERT_EQ(xs->size(), 1u);
    EXPECT_EQ((*xs)[0].key.actor_key, "a");
  });
}

// The payload given at registration comes back in every fire.
TEST_F(ReminderFacet, PayloadRoundTrips) {
  auto rt = start();
  reminder_options opts;
  opts.payload = {0, 1, 2, 255};
  ASSERT_FALSE(upsert(*rt, "1", "p", 1s, 0s, opts));
  rt->advance(1s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.payload, opts.payload);
}

// Every bad argument is an immediate error value.
TEST_F(ReminderFacet, RejectsBadInput) {
  auto rt = start();
  auto code = [&](const std::string& name, clock::duration due,
                  clock::duration period, reminder_options opts = {}) {
    return code_of(upsert(*rt, "1", name, due, period, opts));
  };
  EXPECT_EQ(code("", 1s, 1s), errc::invalid_argument);
  EXPECT_EQ(code(std::string(300, 'n'), 1s, 1s), errc::invalid_argument);
  EXPECT_EQ(code("neg", -1s, 1s), errc::invalid_argument);
  EXPECT_EQ(code("negp", 1s, -1s), errc::invalid_argument);
  EXPECT_EQ(code("short", 1s, 500ms), errc::out_of_range);
  EXPECT_EQ(code("far", std::chrono::hours{24 * 365 * 200}, 1s),
            errc::out_of_range);
  reminder_options ttl;
  ttl.ttl = 0s;
  EXPECT_EQ(code("ttl", 1s, 1s, ttl), errc::invalid_argument);
  reminder_options big;
  big.payload.resize(1 << 20);
  EXPECT_EQ(code("big", 1s, 1s, big), errc::invalid_argument);
  in_billing(*rt, "1", [](actor* self) {
    auto xs = reminders(self).list();
    ASSERT_TRUE(xs);
    EXPECT_TRUE(xs->empty()) << "a rejected reminder was stored";
  });
}

// Reminders need a virtual actor: a plain actor gets a clear error.
TEST_F(ReminderFacet, PlainActorGetsClearError) {
  auto rt = start();
  caf::error err;
  auto a = rt->spawn([&](actor* self) -> caf::behavior {
    self->attach<reminder_facet>();
    err = reminders(self).upsert("x", 1s, 1s);
    return {[](int32_t) {}};
  });
  caf::anon_send(a, int32_t{1});
  rt->run_until_idle();
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_NE(describe(err).find("virtual actor"), std::string::npos);
}

// A corrupt database file stops start-up with an error naming the file.
TEST_F(ReminderFacet, CorruptDatabaseIsClearError) {
  {
    std::ofstream out{db};
    out << std::string(8192, 'x');
  }
  auto rt = runtime::make(reminder_config(db));
  ASSERT_FALSE(rt);
  EXPECT_EQ(code_of(rt.error()), errc::storage_corrupt);
  EXPECT_NE(describe(rt.error()).find(db), std::string::npos);
}

// A database in a directory that does not exist is a clear error.
TEST_F(ReminderFacet, UnopenableDatabaseIsClearError) {
  auto rt = runtime::make(reminder_config(dir.file("missing/dir/r.db")));
  ASSERT_FALSE(rt);
  EXPECT_NE(describe(rt.error()).find("missing/dir"), std::string::npos);
}

// Without the timers module the reminders module refuses to start.
TEST(ReminderModule, NeedsTimersModule) {
  test::temp_dir dir;
  config cfg;
  cfg.manual_time = true;
  cfg.add_module(reminders_module());
  cfg.set("horae.reminders.db", caf::config_value{dir.file("r.db")});
  auto rt = runtime::make(std::move(cfg));
  ASSERT_FALSE(rt);
  EXPECT_NE(describe(rt.error()).find("timers module"), std::string::npos);
}
