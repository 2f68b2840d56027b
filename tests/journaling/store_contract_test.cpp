// The contract every reminder store keeps, proven for each on a single
// thread: round trips, preconditions, recorded fires and the read queries.
#include <cstdint>
#include <limits>

#include "journaling/store_fixture.hpp"

using namespace std::chrono_literals;
using namespace horae;
using horae::test::has_code;
using horae::test::make_record;

namespace {

class StoreContract : public horae::test::store_contract_test {};

// Every field, including non-ASCII payload bytes and an optional TTL,
// comes back exactly as written.
TEST_P(StoreContract, RoundTripsEveryField) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rec = make_record(clk, "42", "interest");
  rec.payload = {0x00, 0xff, 0x7f, 0x80, 0x00, 'a'};
  rec.anchor = clk.wall_now() - 1h;
  rec.due = clk.wall_now() + 5s + 123ns;
  rec.period = 1h + 1ns;
  rec.max_fires = std::numeric_limits<uint64_t>::max();
  rec.expires = clk.wall_now() + 48h + 7ns;
  rec.fire_count = 17;
  rec.policy = missed_tick_policy::catch_up;
  auto stored = store->upsert(rec, false);
  ASSERT_TRUE(stored) << describe(stored.error());
  EXPECT_GT(stored->revision, 0u);
  EXPECT_EQ(stored->created, clk.wall_now());
  EXPECT_EQ(stored->updated, clk.wall_now());
  rec.revision = stored->revision;
  rec.created = stored->created;
  rec.updated = stored->updated;
  EXPECT_EQ(*stored, rec);
  auto loaded = store->get(rec.key);
  ASSERT_TRUE(loaded) << describe(loaded.error());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, rec);
}

// An empty payload and no TTL are stored as such, not as NULL blobs or 0.
TEST_P(StoreContract, RoundTripsEmptyPayloadAndNoExpiry) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rec = make_record(clk, "", "once");
  rec.period = 0ns;
  rec.max_fires = 1;
  auto stored = store->upsert(rec, false);
  ASSERT_TRUE(stored) << describe(stored.error());
  auto loaded = store->get(rec.key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_TRUE((*loaded)->payload.empty());
  EXPECT_FALSE((*loaded)->expires.has_value());
  EXPECT_EQ(**loaded, *stored);
}

TEST_P(StoreContract, UpsertIsDurableAcrossReopen) {
  reminder_record stored;
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    auto rec = make_record(clk, "7", "statement");
    rec.payload = {1, 2, 3};
    auto res = store->upsert(rec, true);
    ASSERT_TRUE(res) << describe(res.error());
    stored = *res;
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto loaded = store->get(stored.key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, stored);
  auto n = store->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  // Revisions keep increasing across restarts, so a stale revision from
  // before the restart can never match a new registration.
  auto again = store->upsert(make_record(clk, "7", "other"), false);
  ASSERT_TRUE(again);
  EXPECT_GT(again->revision, stored.revision);
}

TEST_P(StoreContract, UpsertWithoutOverwriteFailsIfExists) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto first = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(first);
  auto changed = make_record(clk, "1", "r");
  changed.payload = {9};
  auto second = store->upsert(changed, false);
  ASSERT_FALSE(second);
  EXPECT_TRUE(has_code(second.error(), errc::already_exists))
    << describe(second.error());
  auto loaded = store->get(first->key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, *first);
}

// Overwriting keeps the creation time and hands out a new revision.
TEST_P(StoreContract, OverwriteKeepsCreatedAndBumpsRevision) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto first = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(first);
  clk.advance(10s);
  auto changed = make_record(clk, "1", "r");
  changed.payload = {4, 5};
  auto second = store->upsert(changed, true);
  ASSERT_TRUE(second) << describe(second.error());
  EXPECT_GT(second->revision, first->revision);
  EXPECT_EQ(second->created, first->created);
  EXPECT_EQ(second->updated, first->updated + 10s);
  EXPECT_EQ(second->payload, changed.payload);
}

TEST_P(StoreContract, RemoveMissingIsNotFound) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto err = store->remove(reminder_key{"account", "1", "nope"});
  EXPECT_TRUE(has_code(err, errc::not_found)) << describe(err);
}

TEST_P(StoreContract, RemoveDeletesTheRow) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rec = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(rec);
  EXPECT_FALSE(store->remove(rec->key));
  auto loaded = store->get(rec->key);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
}

TEST_P(StoreContract, RecordFireUpdatesCountAndDue) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rec = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(rec);
  clk.advance(1min);
  auto next = rec->due + rec->period;
  auto applied = store->record_fire(rec->key, rec->revision, 1, next);
  ASSERT_TRUE(applied) << describe(applied.error());
  EXPECT_TRUE(*applied);
  auto loaded = store->get(rec->key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ((*loaded)->fire_count, 1u);
  EXPECT_EQ((*loaded)->due, next);
  EXPECT_EQ((*loaded)->revision, rec->revision);
  EXPECT_EQ((*loaded)->updated, clk.wall_now());
}

// A fire of a registration the user replaced meanwhile must not touch the
// replacement.
TEST_P(StoreContract, RecordFireWithStaleRevisionIsSkipped) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto old_rec = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(old_rec);
  auto new_rec = store->upsert(make_record(clk, "1", "r"), true);
  ASSERT_TRUE(new_rec);
  auto applied = store->record_fire(old_rec->key, old_rec->revision, 1,
                                    old_rec->due + old_rec->period);
  ASSERT_TRUE(applied) << describe(applied.error());
  EXPECT_FALSE(*applied);
  auto gone
    = store->record_fire(old_rec->key, old_rec->revision, 1, std::nullopt);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  auto loaded = store->get(new_rec->key);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, *new_rec);
}

TEST_P(StoreContract, RecordFireWithoutNextDueDeletes) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto rec = store->upsert(make_record(clk, "1", "r"), false);
  ASSERT_TRUE(rec);
  auto applied = store->record_fire(rec->key, rec->revision, 1, std::nullopt);
  ASSERT_TRUE(applied);
  EXPECT_TRUE(*applied);
  auto loaded = store->get(rec->key);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->has_value());
  auto missing = store->record_fire(rec->key, rec->revision, 2, std::nullopt);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_P(StoreContract, DueBeforeReturnsOnlyTheWindowOrderedAndLimited) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto t0 = clk.wall_now();
  // Insert out of order: due at t0 + i seconds for i = 9, 8, ..., 0.
  for (int i = 9; i >= 0; --i) {
    auto rec = make_record(clk, std::to_string(i), "r");
    rec.due = t0 + std::chrono::seconds{i};
    ASSERT_TRUE(store->upsert(rec, false));
  }
  auto window = store->due_before(t0 + 5s, 100);
  ASSERT_TRUE(window) << describe(window.error());
  ASSERT_EQ(window->size(), 5u);
  for (size_t i = 0; i < window->size(); ++i)
    EXPECT_EQ((*window)[i].due, t0 + std::chrono::seconds{i});
  auto limited = store->due_before(t0 + 5s, 2);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[0].key.actor_key, "0");
  EXPECT_EQ((*limited)[1].key.actor_key, "1");
  auto none = store->due_before(t0, 100);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// Paging with the last row's position reads every row of the window once,
// in (due, revision) order, even when more rows share a due time than fit in
// one page.
TEST_P(StoreContract, DueAfterPagesThroughTiesExactlyOnce) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto t0 = clk.wall_now();
  // Seven rows due at t0 + 1s (a tie wider than a page), three at t0 + 2s,
  // one at t0 + 9s (outside the window).
  for (int i = 0; i < 7; ++i) {
    auto rec = make_record(clk, "tie" + std::to_string(6 - i), "r");
    rec.due = t0 + 1s;
    ASSERT_TRUE(store->upsert(rec, false));
  }
  for (int i = 0; i < 3; ++i) {
    auto rec = make_record(clk, "later", "r" + std::to_string(i));
    rec.due = t0 + 2s;
    ASSERT_TRUE(store->upsert(rec, false));
  }
  auto outside = make_record(clk, "far", "r");
  outside.due = t0 + 9s;
  ASSERT_TRUE(store->upsert(outside, false));
  std::vector<horae::reminder_record> seen;
  auto cursor = horae::due_position::start();
  for (int page = 0; page < 20; ++page) {
    auto rows = store->due_after(cursor, t0 + 5s, 3);
    ASSERT_TRUE(rows) << describe(rows.error());
    for (auto& row : *rows)
      seen.push_back(row);
    if (rows->size() < 3)
      break;
    cursor = horae::due_position::of(rows->back());
  }
  ASSERT_EQ(seen.size(), 10u);
  for (size_t i = 1; i < seen.size(); ++i)
    EXPECT_LT(horae::due_position::of(seen[i - 1]),
              horae::due_position::of(seen[i]))
      << "row " << i << " out of order or read twice";
  EXPECT_EQ(seen.front().key.actor_key, "tie6"); // ties: first registered
  EXPECT_EQ(seen.back().key.name, "r2");
  // A cursor before a due time excludes every earlier row and none later.
  auto from_two
    = store->due_after(horae::due_position::before(t0 + 2s), t0 + 5s, 100);
  ASSERT_TRUE(from_two);
  EXPECT_EQ(from_two->size(), 3u);
}

// Two stores writing one database (a runtime and the admin tool, say, or
// two processes sharing a server) never hand
// out the same revision, so a stale fire record cannot match a newer
// registration.
TEST_P(StoreContract, RevisionsStayUniqueAcrossTwoWritersOnOneStore) {
  auto first = open_store();
  auto second = open_store();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  auto a = first->upsert(make_record(clk, "1", "a"), false);
  auto b = second->upsert(make_record(clk, "1", "b"), false);
  auto c = first->upsert(make_record(clk, "1", "c"), false);
  ASSERT_TRUE(a && b && c);
  EXPECT_LT(a->revision, b->revision);
  EXPECT_LT(b->revision, c->revision) << "the first store reused a revision";
  auto stale = first->record_fire(b->key, a->revision, 1, std::nullopt);
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
}

TEST_P(StoreContract, ListReturnsOneActorsRemindersByName) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (auto name : {"c", "a", "b"})
    ASSERT_TRUE(store->upsert(make_record(clk, "1", name), false));
  ASSERT_TRUE(store->upsert(make_record(clk, "2", "a"), false));
  auto rows = store->list("account", "1");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].key.name, "a");
  EXPECT_EQ((*rows)[1].key.name, "b");
  EXPECT_EQ((*rows)[2].key.name, "c");
  auto other = store->list("account", "3");
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty());
}

TEST_P(StoreContract, ListAllPagesInKeyOrder) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (auto key : {"3", "1", "2"})
    ASSERT_TRUE(store->upsert(make_record(clk, key, "r"), false));
  auto page1 = store->list_all(2, 0);
  auto page2 = store->list_all(2, 2);
  ASSERT_TRUE(page1 && page2);
  ASSERT_EQ(page1->size(), 2u);
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page1)[0].key.actor_key, "1");
  EXPECT_EQ((*page1)[1].key.actor_key, "2");
  EXPECT_EQ((*page2)[0].key.actor_key, "3");
}

TEST_P(StoreContract, InvalidRecordsAreRejected) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto expect_invalid = [&](reminder_record rec, const char* what) {
    auto res = store->upsert(std::move(rec), true);
    ASSERT_FALSE(res) << what;
    EXPECT_TRUE(has_code(res.error(), errc::invalid_argument))
      << what << ": " << describe(res.error());
  };
  auto rec = make_record(clk, "1", "r");
  rec.key.actor_type.clear();
  expect_invalid(rec, "empty actor type");
  rec = make_record(clk, "1", "");
  expect_invalid(rec, "empty name");
  rec = make_record(clk, "1", "r");
  rec.period = -1s;
  expect_invalid(rec, "negative period");
  rec = make_record(clk, "1", "r");
  rec.max_fires = 2;
  rec.fire_count = 3;
  expect_invalid(rec, "fire count beyond max fires");
  rec = make_record(clk, "1", "r");
  rec.policy = static_cast<missed_tick_policy>(7);
  expect_invalid(rec, "unknown policy");
  auto err = store->remove(reminder_key{"", "1", "r"});
  EXPECT_TRUE(has_code(err, errc::invalid_argument)) << describe(err);
  auto n = store->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
}

// After close, writes complete with `closed` and reads return it.
TEST_P(StoreContract, CallsAfterCloseFailWithClosed) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  store->close();
  store->close(); // idempotent
  auto res = store->upsert(make_record(clk, "1", "r"), true);
  ASSERT_FALSE(res);
  EXPECT_TRUE(has_code(res.error(), errc::closed)) << describe(res.error());
  EXPECT_TRUE(
    has_code(store->remove(reminder_key{"a", "b", "c"}), errc::closed));
  auto fire
    = store->record_fire(reminder_key{"a", "b", "c"}, 1, 1, std::nullopt);
  ASSERT_FALSE(fire);
  EXPECT_TRUE(has_code(fire.error(), errc::closed));
  auto got = store->get(reminder_key{"a", "b", "c"});
  ASSERT_FALSE(got);
  EXPECT_TRUE(has_code(got.error(), errc::closed));
  auto n = store->count();
  ASSERT_FALSE(n);
  EXPECT_TRUE(has_code(n.error(), errc::closed));
}

HORAE_STORE_CONTRACT_SUITE(StoreContract);

TEST(MissedTickPolicy, RoundTripsThroughStrings) {
  for (auto x : {missed_tick_policy::fire_once, missed_tick_policy::skip,
                 missed_tick_policy::catch_up}) {
    auto parsed = from_string(to_string(x));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, x);
  }
  auto bad = from_string("sometimes");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(has_code(bad.error(), errc::invalid_argument));
}

TEST(ReminderKey, OrdersByTypeKeyThenName) {
  EXPECT_LT((reminder_key{"a", "z", "z"}), (reminder_key{"b", "a", "a"}));
  EXPECT_LT((reminder_key{"a", "a", "z"}), (reminder_key{"a", "b", "a"}));
  EXPECT_LT((reminder_key{"a", "a", "a"}), (reminder_key{"a", "a", "b"}));
  EXPECT_EQ((reminder_key{"a", "b", "c"}), (reminder_key{"a", "b", "c"}));
  EXPECT_EQ(to_string(reminder_key{"a", "b", "c"}), "a/b/c");
}

} // namespace
