// Disk faults injected under the SQLite store through a VFS shim: each write
// fails with an error value, the store keeps working, and once the fault
// clears no acknowledged reminder is missing.
#include "journaling/store_fixture.hpp"
#include "journaling/support/faulty_vfs.hpp"
#include <gtest/gtest.h>

using namespace horae;
using horae::test::disk_fault;
using horae::test::make_record;

namespace {

struct FaultInjection : test::store_test {
  void SetUp() override {
    test::install_faulty_vfs();
    test::set_disk_fault(disk_fault::none);
  }

  void TearDown() override {
    test::set_disk_fault(disk_fault::none);
  }

  // Writes `n` acknowledged reminders named ok-<i>.
  void write_acknowledged(reminder_store& store, int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(
        store.upsert(make_record(clk, "a", "ok-" + std::to_string(i)), true));
  }

  void expect_all_acknowledged_present(reminder_store& store, int n) {
    auto rows = store.list("account", "a");
    ASSERT_TRUE(rows) << describe(rows.error());
    int found = 0;
    for (const auto& r : *rows)
      if (r.key.name.rfind("ok-", 0) == 0)
        ++found;
    EXPECT_EQ(found, n) << "an acknowledged reminder is missing";
  }
};

} // namespace

// A full disk fails the write with storage_failure naming the cause; after
// space returns the store accepts writes and lost nothing acknowledged.
TEST_F(FaultInjection, FullDiskFailsWriteThenRecovers) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  write_acknowledged(*store, 5);
  test::set_disk_fault(disk_fault::full);
  auto res = store->upsert(make_record(clk, "a", "doomed"), true);
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::storage_failure);
  EXPECT_NE(describe(res.error()).find("full"), std::string::npos)
    << describe(res.error());
  EXPECT_GT(test::injected_faults(), 0);
  test::set_disk_fault(disk_fault::none);
  ASSERT_TRUE(store->upsert(make_record(clk, "a", "after"), true));
  expect_all_acknowledged_present(*store, 5);
  auto doomed = store->get(reminder_key{"account", "a", "doomed"});
  ASSERT_TRUE(doomed);
  EXPECT_FALSE(doomed->has_value()) << "a failed write was half-applied";
}

// An I/O error during the commit's write or fsync fails the batch and is
// not acknowledged; the store recovers when the device does.
TEST_F(FaultInjection, IoErrorMidTransactionFailsBatchThenRecovers) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  write_acknowledged(*store, 3);
  test::set_disk_fault(disk_fault::io_error);
  auto res = store->upsert(make_record(clk, "a", "doomed"), true);
  ASSERT_FALSE(res);
  EXPECT_EQ(code_of(res.error()), errc::storage_failure)
    << describe(res.error());
  auto fire = store->record_fire(reminder_key{"account", "a", "ok-0"}, 1, 1,
                                 std::nullopt);
  EXPECT_FALSE(fire) << "a fire was recorded on a failing disk";
  test::set_disk_fault(disk_fault::none);
  // SQLite may need a fresh transaction to clear the error state; the next
  // write must succeed.
  caf::expected<reminder_record> after = make_error(errc::timeout);
  for (int attempt = 0; attempt < 3 && !after; ++attempt)
    after = store->upsert(make_record(clk, "a", "after"), true);
  ASSERT_TRUE(after) << describe(after.error());
  expect_all_acknowledged_present(*store, 3);
}

// After a fault, reopening the file finds every acknowledged reminder and
// none of the failed ones.
TEST_F(FaultInjection, ReopenAfterFaultKeepsAcknowledgedRows) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    write_acknowledged(*store, 4);
    test::set_disk_fault(disk_fault::io_error);
    EXPECT_FALSE(store->upsert(make_record(clk, "a", "doomed"), true));
    test::set_disk_fault(disk_fault::none);
    store->close();
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  expect_all_acknowledged_present(*store, 4);
  auto doomed = store->get(reminder_key{"account", "a", "doomed"});
  ASSERT_TRUE(doomed);
  EXPECT_FALSE(doomed->has_value());
}
