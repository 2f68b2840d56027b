// The dispatcher's window of loaded reminders on the manual clock: paging
// through a window wider than one load batch, and rows changed by another
// process (the admin tool) while the runtime holds them.
#include <set>

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

struct ReminderWindow : test::reminder_test {

  static void upsert(runtime& rt, const std::string& key,
                     const std::string& name, clock::duration due,
                     clock::duration period) {
    caf::error async = make_error(errc::timeout, "no callback");
    in_billing(rt, key, [&](actor* self) {
      auto err = reminders(self).upsert(name, due, period, {},
                                        [&](caf::error e) { async = e; });
      ASSERT_FALSE(err) << describe(err);
    });
    rt.run_until_idle();
    ASSERT_FALSE(async) << describe(async);
  }
};

} // namespace

// After a restart the window holds more rows than one load batch, many of
// them due at the same instant: every reminder fires exactly once.
TEST_F(ReminderWindow, WindowWiderThanLoadBatchDeliversEveryReminderOnce) {
  {
    auto rt = reminder_runtime(reminder_config(db), log);
    for (int i = 0; i < 10; ++i)
      upsert(*rt, "tie" + std::to_string(i), "r", 10s, 0s);
    for (int i = 0; i < 5; ++i)
      upsert(*rt, "later" + std::to_string(i), "r", 20s, 0s);
    upsert(*rt, "far", "r", 2min, 0s);
  }
  auto cfg = reminder_config(db);
  ASSERT_FALSE(
    cfg.set("horae.reminders.load-batch", caf::config_value{int64_t{3}}));
  auto rt = reminder_runtime(std::move(cfg), log);
  rt->advance(25s, 100ms);
  std::multiset<std::string> actors;
  for (const auto& fire : log->fires)
    actors.insert(fire.actor);
  EXPECT_EQ(log->fires.size(), 15u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(actors.count("billing/tie" + std::to_string(i)), 1u) << i;
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(actors.count("billing/later" + std::to_string(i)), 1u) << i;
  rt->advance(2min, 1s);
  ASSERT_EQ(log->fires.size(), 16u) << "the row beyond the window was lost";
  EXPECT_EQ(log->fires.back().actor, "billing/far");
}

// A reminder deleted by another process while loaded fires at most once more
// (that fire was already scheduled); its record finds the row gone, and the
// runtime drops it.
TEST_F(ReminderWindow, DeletedOutsideTheRuntimeStopsAfterOneMoreFire) {
  auto rt = reminder_runtime(reminder_config(db), log);
  upsert(*rt, "1", "x", 5s, 5s);
  rt->advance(5s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  {
    auto outside = outside_store();
    ASSERT_FALSE(outside->remove(reminder_key{"billing", "1", "x"}));
  }
  rt->advance(60s, 100ms);
  EXPECT_EQ(log->fires.size(), 2u) << "the deleted reminder kept firing";
}

// A reminder replaced by another process while loaded is re-read after the
// stale fire: the new schedule takes over.
TEST_F(ReminderWindow, ReplacedOutsideTheRuntimeIsReRead) {
  auto rt = reminder_runtime(reminder_config(db), log);
  auto t0 = rt->clock().wall_now();
  upsert(*rt, "1", "x", 5s, 5s);
  rt->advance(5s, 100ms);
  ASSERT_EQ(log->fires.size(), 1u);
  {
    auto outside = outside_store();
    reminder_record rec;
    rec.key = reminder_key{"billing", "1", "x"};
    rec.anchor = t0 + 20s;
    rec.due = rec.anchor;
    rec.period = 1s;
    ASSERT_TRUE(outside->upsert(rec, true));
  }
  rt->advance(20s, 100ms);          // up to t0 + 25s
  ASSERT_EQ(log->fires.size(), 8u); // t0+5s, the stale t0+10s, t0+20..25s
  EXPECT_EQ(log->fires[1].fired.scheduled, t0 + 10s);
  EXPECT_EQ(log->fires[2].fired.scheduled, t0 + 20s);
  EXPECT_EQ(log->fires[2].fired.count, 1u);
  EXPECT_EQ(log->fires[7].fired.scheduled, t0 + 25s);
}
