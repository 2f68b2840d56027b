// Cron reminders through the ReminderFacet on the manual clock: fires at
// the matching minutes and never before, in a named zone and across a
// daylight-saving gap, max fires and TTL, bad input, and missed ticks per
// policy across a downtime (a restarted runtime on the same store).
#include <horae/core/error.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/test_runtime.hpp>

#include "facets/support/billing_probe.hpp"
#include "facets/support/reminder_harness.hpp"
#include "journaling/support/civil_time.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::utc;

namespace {

struct reminder_cron : ::testing::Test {
  std::shared_ptr<testkit::probe> p = testkit::probe::make();
  std::unique_ptr<testkit::test_runtime> t;

  void SetUp() override {
    t = test::billing_runtime(p);
  }

  /// The current activation of billing/acme: an idle one is deactivated
  /// while time advances, so each call resolves it afresh.
  caf::actor billing() {
    auto handle = (*t)->ref("billing", "acme")->resolve();
    if (!handle)
      throw std::runtime_error(describe(handle.error()));
    return *handle;
  }

  /// Registers "bill" on `expr` in `zone` from inside the actor.
  caf::error upsert_cron(const std::string& expr,
                         const std::string& zone = "UTC",
                         reminder_options opts = {}) {
    caf::error result;
    t->run_in(billing(), [&](actor& self) {
      result = reminders(&self).upsert_cron("bill", expr, zone, opts);
    });
    return result;
  }

  /// The runtime clock's reading at the wall-clock time `at`.
  clock::time_point when(clock::wall_time at) const {
    return (*t)->clock().to_monotonic(at);
  }

  /// Advances to a millisecond before `at` (nothing fired yet), then to
  /// `at` (the first fire, exactly then).
  void expect_first_fire_at(clock::wall_time at) {
    t->advance(when(at) - 1ms - (*t)->clock().now(), 1min);
    EXPECT_TRUE(p->silent("bill")) << p->silent("bill");
    t->advance(1ms);
    auto once = p->fired_once_at("bill", when(at));
    EXPECT_TRUE(once) << once;
  }

  /// Registers "bill" every ten minutes with `opts`, runs an hour.
  /// @returns how many fires it delivered; it must be gone by then.
  size_t fires_until_it_ends(reminder_options opts) {
    EXPECT_FALSE(upsert_cron("*/10 * * * *", "UTC", opts));
    t->advance(1h, 1min);
    EXPECT_FALSE(stored()) << "still stored";
    return p->count("bill");
  }

  /// The stored reminder "bill"; none if there is none.
  std::optional<reminder_record> stored() {
    std::optional<reminder_record> result;
    t->run_in(billing(), [&](actor& self) {
      auto rec = reminders(&self).get("bill");
      ASSERT_TRUE(rec) << describe(rec.error());
      result = *rec;
    });
    return result;
  }
};

} // namespace

// Every quarter hour from midnight UTC: nothing a millisecond before
// 00:15, one fire exactly then, the next at 00:30.
TEST_F(reminder_cron, FiresAtTheMatchingMinutesNeverBefore) {
  ASSERT_EQ((*t)->clock().wall_now(), utc(2026, 1, 1));
  ASSERT_FALSE(upsert_cron("*/15 * * * *"));
  auto first = when(utc(2026, 1, 1, 0, 15));
  expect_first_fire_at(utc(2026, 1, 1, 0, 15));
  t->advance(15min, 10s);
  auto fires = p->fires_of("bill");
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires[1].received, when(utc(2026, 1, 1, 0, 30)));
  EXPECT_EQ(fires[1].due, fires[1].received);
  EXPECT_EQ(fires[1].seq, 2u);
  auto early = p->never_before("bill", first);
  EXPECT_TRUE(early) << early;
}

// The schedule and zone are stored with the reminder, without a period.
TEST_F(reminder_cron, StoresTheScheduleAndZone) {
  ASSERT_FALSE(upsert_cron("0 9 * * mon-fri", "Europe/Berlin"));
  auto rec = stored();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->cron, "0 9 * * mon-fri");
  EXPECT_EQ(rec->time_zone, "Europe/Berlin");
  EXPECT_EQ(rec->period, 0ns);
  EXPECT_EQ(rec->max_fires, 0u) << "a cron reminder is not a one-shot";
  // 1 January 2026 is a Thursday: nine in Berlin is eight UTC.
  EXPECT_EQ(rec->due, utc(2026, 1, 1, 8, 0));
}

// Nine o'clock in New York is 14:00 UTC in winter.
TEST_F(reminder_cron, FiresInItsTimeZone) {
  ASSERT_FALSE(upsert_cron("0 9 * * *", "America/New_York"));
  expect_first_fire_at(utc(2026, 1, 1, 14, 0));
}

// On the night Berlin springs forward, 02:30 does not exist: the reminder
// fires once as the gap ends (03:00 CEST, 01:00 UTC), then at 02:30 CEST
// the next night.
TEST_F(reminder_cron, SkippedLocalTimeFiresOnceAfterTheGap) {
  (*t)->manual_clock()->set_wall(utc(2026, 3, 28, 23, 0));
  ASSERT_FALSE(upsert_cron("30 2 * * *", "Europe/Berlin"));
  expect_first_fire_at(utc(2026, 3, 29, 1, 0));
  t->advance(24h, 10min);
  auto fires = p->fires_of("bill");
  ASSERT_EQ(fires.size(), 2u);
  EXPECT_EQ(fires[1].received, when(utc(2026, 3, 30, 0, 30)));
}

// Max fires ends the reminder after that many fires.
TEST_F(reminder_cron, MaxFiresEndsIt) {
  reminder_options opts;
  opts.max_fires = 2;
  EXPECT_EQ(fires_until_it_ends(opts), 2u);
}

// A TTL of 25 minutes ends it after the fires at 00:10 and 00:20.
TEST_F(reminder_cron, TtlEndsIt) {
  reminder_options opts;
  opts.ttl = 25min;
  EXPECT_EQ(fires_until_it_ends(opts), 2u);
}

// Bad expressions, unknown zones and a TTL that ends before the first
// match are errors returned at once; nothing fires.
TEST_F(reminder_cron, RejectsBadInput) {
  auto err = upsert_cron("*/0 * * * *");
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_NE(describe(err).find("minute field '*/0'"), std::string::npos)
    << describe(err);
  err = upsert_cron("0 0 30 2 *");
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  err = upsert_cron("* * * * *", "Europe/Atlantis");
  EXPECT_EQ(code_of(err), errc::invalid_argument);
  EXPECT_NE(describe(err).find("Europe/Atlantis"), std::string::npos);
  reminder_options opts;
  opts.ttl = 5min;
  EXPECT_EQ(code_of(upsert_cron("0 * * * *", "UTC", opts)),
            errc::invalid_argument);
  opts.ttl = -1s;
  EXPECT_EQ(code_of(upsert_cron("0 * * * *", "UTC", opts)),
            errc::invalid_argument);
  (*t)->manual_clock()->set_wall(utc(2199, 6, 1));
  EXPECT_EQ(code_of(upsert_cron("0 0 2 1 *")), errc::out_of_range);
  t->advance(2h, 1min);
  EXPECT_TRUE(p->silent("bill"));
}

// -- downtime -----------------------------------------------------------------

namespace {

using horae::test::in_billing;
using horae::test::reminder_config;
using horae::test::reminder_log;
using horae::test::reminder_runtime;

struct CronDowntime : test::reminder_test {
  /// Registers "r" hourly on the hour (first due 01:00), then restarts with
  /// the wall clock at 04:30: the ticks of 01:00 to 04:00 were missed.
  /// @returns the fires of the first seconds after the restart; the
  ///          runtime then runs on to 05:00:01.
  std::vector<reminder_log::entry> after_downtime(missed_tick_policy policy) {
    {
      auto rt = reminder_runtime(reminder_config(db), log);
      reminder_options opts;
      opts.policy = policy;
      caf::error err = make_error(errc::timeout);
      in_billing(*rt, "1", [&](actor* self) {
        EXPECT_FALSE(reminders(self).upsert_cron(
          "r", "0 * * * *", "UTC", opts, [&](caf::error e) { err = e; }));
      });
      rt->run_until_idle();
      EXPECT_FALSE(err) << describe(err);
    }
    auto rt = reminder_runtime(reminder_config(db), log);
    rt->manual_clock()->set_wall(utc(2026, 1, 1, 4, 30));
    rt->advance(1s, 10ms);
    auto result = log->fires;
    rt->advance(30min, 1min);
    return result;
  }

  void expect_never_early() const {
    for (const auto& e : log->fires)
      EXPECT_GE(e.fired.actual, e.fired.scheduled) << "early";
  }
};

} // namespace

// fire_once: one fire standing for the four missed ticks, then 05:00.
TEST_F(CronDowntime, FireOnceFoldsTheMissedTicks) {
  auto fires = after_downtime(missed_tick_policy::fire_once);
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].fired.scheduled, utc(2026, 1, 1, 1, 0));
  EXPECT_EQ(fires[0].fired.missed, 3u); // 02:00, 03:00 and 04:00
  ASSERT_EQ(log->fires.size(), 2u);
  EXPECT_EQ(log->fires[1].fired.scheduled, utc(2026, 1, 1, 5, 0));
  EXPECT_EQ(log->fires[1].fired.missed, 0u);
  EXPECT_EQ(log->fires[1].fired.count, 2u);
  expect_never_early();
}

// skip: the late ticks are dropped; 05:00 fires normally.
TEST_F(CronDowntime, SkipDropsTheMissedTicks) {
  auto fires = after_downtime(missed_tick_policy::skip);
  EXPECT_TRUE(fires.empty());
  ASSERT_EQ(log->fires.size(), 1u);
  EXPECT_EQ(log->fires[0].fired.scheduled, utc(2026, 1, 1, 5, 0));
  EXPECT_EQ(log->fires[0].fired.count, 1u);
  expect_never_early();
}

// catch_up: every missed tick is delivered in order, then 05:00.
TEST_F(CronDowntime, CatchUpDeliversEveryMissedTick) {
  auto fires = after_downtime(missed_tick_policy::catch_up);
  ASSERT_EQ(fires.size(), 4u);
  for (size_t i = 0; i < fires.size(); ++i) {
    EXPECT_EQ(fires[i].fired.scheduled,
              utc(2026, 1, 1, 1, 0) + std::chrono::hours{i});
    EXPECT_EQ(fires[i].fired.count, i + 1);
    EXPECT_EQ(fires[i].fired.missed, 0u);
  }
  ASSERT_EQ(log->fires.size(), 5u);
  EXPECT_EQ(log->fires[4].fired.scheduled, utc(2026, 1, 1, 5, 0));
  expect_never_early();
}
