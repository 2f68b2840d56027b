// Group commit, as every store does it: many concurrent writers share
// transactions, yet each gets its own result, and close() flushes.
#include <atomic>
#include <thread>
#include <vector>

#include "journaling/store_fixture.hpp"

using namespace std::chrono_literals;
using namespace horae;
using horae::test::countdown;
using horae::test::gate;
using horae::test::has_code;
using horae::test::make_record;

namespace {

class GroupCommit : public horae::test::store_contract_test {
protected:
  /// Submits a write whose completion blocks the writer thread until the
  /// returned gate opens, so that the requests queued meanwhile are certain
  /// to form one batch.
  std::shared_ptr<gate> hold_writer(reminder_store& store) {
    auto release = std::make_shared<gate>();
    auto entered = std::make_shared<gate>();
    store.upsert_async(make_record(clk, "blocker", "r"), true,
                       [release, entered](caf::expected<reminder_record>) {
                         entered->open();
                         release->wait();
                       });
    entered->wait();
    return release;
  }
};

TEST_P(GroupCommit, ConcurrentAsyncUpsertsAreAllAcknowledgedAndPresent) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  constexpr size_t threads = 16;
  constexpr size_t per_thread = 500;
  countdown done{threads * per_thread};
  std::atomic<size_t> ok{0};
  std::atomic<size_t> failed{0};
  std::vector<std::thread> submitters;
  for (size_t t = 0; t < threads; ++t)
    submitters.emplace_back([&, t] {
      for (size_t i = 0; i < per_thread; ++i) {
        auto rec = make_record(clk, std::to_string(t), std::to_string(i));
        store->upsert_async(std::move(rec), false,
                            [&](caf::expected<reminder_record> res) {
                              ++(res ? ok : failed);
                              done.count_down();
                            });
      }
    });
  for (auto& th : submitters)
    th.join();
  done.wait();
  EXPECT_EQ(ok.load(), threads * per_thread);
  EXPECT_EQ(failed.load(), 0u);
  auto n = store->count();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, threads * per_thread);
  for (size_t t = 0; t < threads; ++t) {
    auto rows = store->list("account", std::to_string(t));
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), per_thread);
  }
}

// Requests that fail their own precondition in a batch do not abort the
// others, and every request gets its own result.
TEST_P(GroupCommit, FailedPreconditionDoesNotAbortTheBatch) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto existing = store->upsert(make_record(clk, "1", "taken"), false);
  ASSERT_TRUE(existing);
  auto release = hold_writer(*store);
  countdown done{4};
  caf::expected<reminder_record> first{caf::error{}};
  caf::expected<reminder_record> duplicate{caf::error{}};
  caf::error missing;
  caf::expected<reminder_record> last{caf::error{}};
  store->upsert_async(make_record(clk, "1", "a"), false,
                      [&](caf::expected<reminder_record> res) {
                        first = std::move(res);
                        done.count_down();
                      });
  store->upsert_async(make_record(clk, "1", "taken"), false,
                      [&](caf::expected<reminder_record> res) {
                        duplicate = std::move(res);
                        done.count_down();
                      });
  store->remove_async(reminder_key{"account", "1", "ghost"},
                      [&](caf::error err) {
                        missing = std::move(err);
                        done.count_down();
                      });
  store->upsert_async(make_record(clk, "1", "b"), false,
                      [&](caf::expected<reminder_record> res) {
                        last = std::move(res);
                        done.count_down();
                      });
  release->open();
  done.wait();
  EXPECT_TRUE(first) << describe(first.error());
  ASSERT_FALSE(duplicate);
  EXPECT_TRUE(has_code(duplicate.error(), errc::already_exists));
  EXPECT_TRUE(has_code(missing, errc::not_found)) << describe(missing);
  EXPECT_TRUE(last) << describe(last.error());
  auto rows = store->list("account", "1");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[2].key.name, "taken");
  EXPECT_EQ((*rows)[2], *existing);
}

// close() makes every queued write durable and runs its completion.
TEST_P(GroupCommit, CloseRunsPendingCompletions) {
  constexpr size_t n = 100;
  std::atomic<size_t> ok{0};
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    auto release = hold_writer(*store);
    for (size_t i = 0; i < n; ++i)
      store->upsert_async(make_record(clk, "1", std::to_string(i)), false,
                          [&](caf::expected<reminder_record> res) {
                            if (res)
                              ++ok;
                          });
    std::thread closer{[&] { store->close(); }};
    release->open();
    closer.join();
    EXPECT_EQ(ok.load(), n);
    auto late = store->upsert(make_record(clk, "1", "late"), false);
    ASSERT_FALSE(late);
    EXPECT_TRUE(has_code(late.error(), errc::closed));
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto count = store->count();
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, n + 1); // plus the blocker
}

HORAE_STORE_CONTRACT_SUITE(GroupCommit);

} // namespace
