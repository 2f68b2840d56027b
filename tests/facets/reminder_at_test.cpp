// Reminders due at a wall-clock time (`upsert_at`): on time and never
// early, a past time due at once with its missed ticks folded, and times a
// reminder may not have. Written with the testkit.
#include <horae/core/error.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/test_runtime.hpp>

#include "facets/support/billing_probe.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

struct reminder_at : ::testing::Test {
  std::shared_ptr<testkit::probe> p = testkit::probe::make();
  std::unique_ptr<testkit::test_runtime> t;
  caf::actor billing;

  void SetUp() override {
    t = test::billing_runtime(p);
    auto handle = (*t)->ref("billing", "acme")->resolve();
    ASSERT_TRUE(handle);
    billing = *handle;
  }

  /// Registers "bill" at `at` from inside the actor.
  caf::error upsert_at(clock::wall_time at, clock::duration period,
                       reminder_options opts = {}) {
    caf::error result;
    t->run_in(billing, [&](actor& self) {
      result = reminders(&self).upsert_at("bill", at, period, opts);
    });
    return result;
  }
};

} // namespace

// Due 90 s from now on the wall clock: nothing a millisecond before, one
// fire exactly then.
TEST_F(reminder_at, FiresAtThatWallTimeNeverBefore) {
  auto at = (*t)->clock().wall_now() + 90s;
  ASSERT_FALSE(upsert_at(at, 0s));
  t->advance(89s, 100ms);
  t->advance(999ms);
  EXPECT_TRUE(p->silent("bill")) << p->silent("bill");
  t->advance(1ms);
  auto once = p->fired_once_at("bill", t->start() + 90s);
  EXPECT_TRUE(once) << once;
  auto early = p->never_before("bill", t->start() + 90s);
  EXPECT_TRUE(early) << early;
}

// A time in the past is due at once; a periodic reminder keeps its grid
// from that time, folding the ticks already missed (policy fire_once).
TEST_F(reminder_at, PastTimeIsDueAtOnceWithMissedTicksFolded) {
  auto at = (*t)->clock().wall_now() - 10s;
  ASSERT_FALSE(upsert_at(at, 3s));
  t->advance(10ms);
  auto fires = p->fires_of("bill");
  ASSERT_EQ(fires.size(), 1u);
  // Ticks were due at -10, -7, -4 and -1 s: one fire stands for all four.
  EXPECT_EQ(fires[0].folded, 3u);
  // The next tick stays on the grid: -10 s + 4 * 3 s = +2 s.
  t->advance(1980ms);
  EXPECT_EQ(p->count("bill"), 1u) << "early";
  t->advance(10ms);
  ASSERT_EQ(p->count("bill"), 2u);
  EXPECT_EQ(p->fires_of("bill")[1].received, t->start() + 2s);
}

// Times a reminder may not have are argument errors, returned at once.
TEST_F(reminder_at, RejectsTimesOutsideTheRange) {
  auto after_2200 = latest_reminder_time + 1s;
  EXPECT_EQ(code_of(upsert_at(after_2200, 0s)), errc::out_of_range);
  auto before_1970 = clock::wall_time{-1s};
  EXPECT_EQ(code_of(upsert_at(before_1970, 0s)), errc::out_of_range);
  EXPECT_EQ(code_of(upsert_at((*t)->clock().wall_now(), -1s)),
            errc::invalid_argument);
  t->advance(1s);
  EXPECT_TRUE(p->silent("bill"));
}
