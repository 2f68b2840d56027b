// The testkit as users meet it: a manual-time runtime in one line, code run
// inside actors, a probe with expectations, a fire queued before a cancel,
// and reminders on a temporary store that disappears afterwards.
#include <filesystem>

#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/run_in_actor.hpp>
#include <horae/testkit/test_runtime.hpp>

#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

// A one-shot timer arrives exactly at its due time, never before.
TEST(Testkit, TimerFiresAtItsDueTimeNeverBefore) {
  testkit::test_runtime t;
  auto p = testkit::probe::make();
  auto a = t->spawn(p->recorder());
  t.run_in(
    a, [](actor& self) { ASSERT_FALSE(timers(&self).start_once("t", 5s)); });
  t.advance(4999ms);
  EXPECT_TRUE(p->silent("t")) << p->silent("t");
  t.advance(1ms);
  auto once = p->fired_once_at("t", t.start() + 5s);
  EXPECT_TRUE(once) << once;
  auto early = p->never_before("t", t.start() + 5s);
  EXPECT_TRUE(early) << early;
}

// Failed expectations say what happened instead.
TEST(Testkit, FailedExpectationsExplainThemselves) {
  testkit::test_runtime t;
  auto p = testkit::probe::make();
  auto a = t->spawn(p->recorder());
  t.run_in(
    a, [](actor& self) { ASSERT_FALSE(timers(&self).start_once("t", 2s)); });
  t.advance(2s);
  auto wrong = p->fired_once_at("t", t.start() + 3s);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.why().find("expected 't' to fire once"), std::string::npos)
    << wrong;
  EXPECT_NE(wrong.why().find("received -1s from the expected time"),
            std::string::npos)
    << wrong;
  auto not_silent = p->silent("t");
  ASSERT_FALSE(not_silent);
  EXPECT_NE(not_silent.why().find("fired 1 time(s)"), std::string::npos);
  auto too_early = p->never_before("t", t.start() + 3s);
  ASSERT_FALSE(too_early);
  EXPECT_NE(too_early.why().find("before the earliest allowed time"),
            std::string::npos)
    << too_early;
}

// The race a unit test otherwise cannot set up: the fire is already in the
// mailbox when the behaviour cancels (or replaces) the timer. It is dropped.
TEST(Testkit, FireQueuedBeforeACancelNeverArrives) {
  testkit::test_runtime t;
  auto p = testkit::probe::make();
  auto a = t->spawn(p->recorder());
  t.run_in(
    a, [](actor& self) { ASSERT_FALSE(timers(&self).start_once("t", 10ms)); });
  bool cancelled = false;
  t.run_in_before_fires(
    a, 10ms, [&](actor& self) { cancelled = timers(&self).cancel("t"); });
  EXPECT_TRUE(cancelled);
  t.advance(1s);
  EXPECT_TRUE(p->silent("t")) << p->silent("t");
}

// Reminders run on a temporary store that exists while the runtime does and
// is removed with it; virtual actor types list the runner facet by name.
TEST(Testkit, RemindersOnATemporaryStore) {
  auto p = testkit::probe::make();
  std::string folder;
  {
    testkit::test_runtime_options opts;
    opts.reminders = true;
    opts.setup
      = [p](runtime& rt) { return rt.define("billing", p->recorder(true)); };
    testkit::test_runtime t{opts};
    folder = t.store_folder();
    ASSERT_TRUE(std::filesystem::exists(folder));
    auto a = t->ref("billing", "acme")->resolve();
    ASSERT_TRUE(a);
    t.run_in(*a, [](actor& self) {
      ASSERT_FALSE(reminders(&self).upsert("bill", 2s, 0s));
    });
    t.advance(2s);
    auto once = p->fired_once_at("bill", t.start() + 2s);
    EXPECT_TRUE(once) << once;
    ASSERT_EQ(p->fires_of("bill").size(), 1u);
    EXPECT_EQ(p->fires_of("bill").front().actor, "billing/acme");
  }
  EXPECT_FALSE(std::filesystem::exists(folder)) << "store left behind";
}

// A type that lists the facet by name gets it from the registry.
TEST(Testkit, RunnerFacetByName) {
  testkit::test_runtime t;
  actor_type_options opts;
  opts.facets = {std::string{testkit::runner_facet::facet_name}};
  ASSERT_FALSE(t->define(
    "plain", [](actor*) -> caf::behavior { return {[](int32_t) {}}; }, opts));
  auto a = t->ref("plain", "1")->resolve();
  ASSERT_TRUE(a);
  bool ran = false;
  t.run_in(*a, [&](actor& self) { ran = self.display_name() == "plain/1"; });
  EXPECT_TRUE(ran);
}

// Bad settings are a clear error, not a crash.
TEST(Testkit, BadSettingsThrowWithTheReason) {
  testkit::test_runtime_options opts;
  opts.args = {"--horae.timers.resolution=-1ms"};
  try {
    testkit::test_runtime t{opts};
    FAIL() << "accepted a negative resolution";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("horae.timers.resolution"),
              std::string::npos)
      << e.what();
  }
}
