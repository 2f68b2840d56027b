// One name limit for every call that takes a name or key, error messages
// that stay short however long the input, and a TTL that must outlive the
// first fire.
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>

#include "facets/support/reminder_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::in_billing;
using horae::test::reminder_config;
using horae::test::reminder_runtime;

namespace {

const std::string huge(1 << 20, 'n');

/// Every message about a huge name stays a line long.
void expect_short(const caf::error& err) {
  EXPECT_EQ(code_of(err), errc::invalid_argument) << describe(err);
  EXPECT_LT(describe(err).size(), 400u) << "message embeds the whole input";
}

struct InputLimits : test::reminder_test {};

} // namespace

// Reminder calls share the limit: get and remove refuse a 1 MB name as
// upsert does, with a short message.
TEST_F(InputLimits, ReminderCallsShareOneNameLimit) {
  auto rt = reminder_runtime(reminder_config(db), log);
  in_billing(*rt, "1", [](actor* self) {
    expect_short(reminders(self).upsert(huge, 1s, 0s));
    expect_short(reminders(self).remove(huge));
    auto got = reminders(self).get(huge);
    ASSERT_FALSE(got);
    expect_short(got.error());
    std::string limit(max_name_length, 'x');
    EXPECT_FALSE(reminders(self).upsert(limit, 1s, 0s)) << "limit itself";
  });
}

// The store refuses oversized keys too (the admin tool writes through it).
TEST_F(InputLimits, StoreRefusesOversizedKeys) {
  auto rt = reminder_runtime(reminder_config(db), log);
  auto& store = rt->find_service<reminder_service>()->store();
  expect_short(store.remove(reminder_key{"billing", huge, "x"}));
  expect_short(store.remove(reminder_key{huge, "1", "x"}));
  expect_short(store.remove(reminder_key{"billing", "1", huge}));
}

// Virtual actor types and keys, and timer names, follow the same limit.
TEST_F(InputLimits, ActorKeysAndTimerNamesShareTheLimit) {
  auto rt = reminder_runtime(reminder_config(db), log);
  auto ref = rt->ref("billing", huge);
  ASSERT_FALSE(ref);
  expect_short(ref.error());
  expect_short(rt->define(huge, test::reminder_recorder(log)));
  auto t = rt->spawn([](actor* self) -> caf::behavior {
    self->attach<timer_facet>();
    expect_short(timers(self).start_once(huge, 1s));
    return {[](int32_t) {}};
  });
  rt->run_until_idle();
}

// A TTL that ends before (or at) the first due time would delete the
// reminder unfired; it is refused.
TEST_F(InputLimits, TtlEndingBeforeTheFirstFireIsRejected) {
  auto rt = reminder_runtime(reminder_config(db), log);
  in_billing(*rt, "1", [](actor* self) {
    reminder_options opts;
    opts.ttl = 5s;
    auto err = reminders(self).upsert("late", 10s, 1min, opts);
    EXPECT_EQ(code_of(err), errc::invalid_argument);
    EXPECT_NE(describe(err).find("ends before the first fire"),
              std::string::npos)
      << describe(err);
    opts.ttl = 10s;
    EXPECT_EQ(code_of(reminders(self).upsert("late", 10s, 1min, opts)),
              errc::invalid_argument);
    opts.ttl = 11s;
    EXPECT_FALSE(reminders(self).upsert("late", 10s, 1min, opts));
  });
}

// Control bytes in names never reach a message raw.
TEST(QuoteForMessage, EscapesControlBytesAndCutsLongText) {
  EXPECT_EQ(quote_for_message("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(quote_for_message(std::string{"a\0b", 3}), "a\\x00b");
  EXPECT_EQ(quote_for_message(std::string(100, 'x'), 4), "xxxx...(100 bytes)");
  EXPECT_EQ(quote_for_message("plain"), "plain");
}
