// The activation cell's door: a send either enters an open door and
// reaches the mailbox before a close returns, or finds the door closed and
// keeps its message, on every send path (a thread's marker, a send from
// inside an enqueue, a send from an exiting thread).
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <list>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/mailbox_element.hpp>

#include "actors/activation_cell.hpp"
#include <gtest/gtest.h>

using horae::detail::activation_cell;
using horae::detail::send_marker;
using namespace std::chrono_literals;

namespace {

/// What a probe actor's mailbox saw.
struct door_log {
  /// Set by the closer while a close has returned and the door is not yet
  /// open again: no message may enter the mailbox meanwhile.
  std::atomic<bool> settled{false};
  std::atomic<int64_t> entered{0};
  std::atomic<int64_t> behind_closed_door{0};
  std::atomic<int64_t> spins{0};
  /// Runs inside each enqueue, before the message reaches the mailbox.
  std::function<void()> inside;
};

/// An actor whose enqueue reports to a `door_log` and drops integers.
class probe_actor : public caf::event_based_actor {
public:
  probe_actor(caf::actor_config& cfg, door_log* log)
    : caf::event_based_actor(cfg), log_(log) {
    // nop
  }

  void enqueue(caf::mailbox_element_ptr what,
               caf::execution_unit* host) override {
    if (log_->settled.load())
      log_->behind_closed_door.fetch_add(1);
    if (log_->inside)
      log_->inside();
    log_->entered.fetch_add(1);
    // The tests' integers end here: the door is under test, not the
    // mailbox. Everything else (the exit at the end) is handled.
    if (!what->content().match_elements<int32_t>())
      caf::event_based_actor::enqueue(std::move(what), host);
  }

  caf::behavior make_behavior() override {
    return {[](int32_t) {}};
  }

private:
  door_log* log_;
};

caf::mailbox_element_ptr element(int32_t x) {
  return caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                   caf::make_message(x));
}

class ActivationCell : public ::testing::Test {
protected:
  ~ActivationCell() override {
    // The probes outlive each test's cells: no hook may reach them when
    // the exit messages below pass through the probes' enqueue.
    for (auto& log : logs_)
      log.inside = nullptr;
    for (auto& handle : spawned_)
      caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
  }

  /// @returns a log that lives as long as the actor system.
  door_log& make_log() {
    return logs_.emplace_back();
  }

  caf::actor spawn_probe(door_log& log) {
    auto handle = system_.spawn<probe_actor>(&log);
    spawned_.push_back(handle);
    return handle;
  }

  /// @returns a cell open to a new probe that reports to `log`.
  activation_cell& open_cell(door_log& log) {
    auto& cell = cells_.emplace_back();
    cell.open(spawn_probe(log));
    return cell;
  }

  // Destroyed after the system, which waits for every probe.
  std::list<door_log> logs_;
  caf::actor_system_config config_;
  caf::actor_system system_{config_};
  std::vector<caf::actor> spawned_;
  // Destroyed first: they hold handles to the probes.
  std::list<activation_cell> cells_;
};

} // namespace

TEST_F(ActivationCell, AClosedDoorRefusesAndKeepsTheMessage) {
  auto& log = make_log();
  activation_cell cell;
  auto x = element(1);
  EXPECT_FALSE(cell.try_enqueue(x)); // never opened
  EXPECT_NE(x, nullptr);
  cell.open(spawn_probe(log));
  EXPECT_TRUE(cell.try_enqueue(x));
  EXPECT_EQ(x, nullptr);
  cell.close();
  auto y = element(2);
  EXPECT_FALSE(cell.try_enqueue(y));
  EXPECT_NE(y, nullptr);
  cell.reopen();
  EXPECT_TRUE(cell.try_enqueue(y));
  cell.clear();
  auto z = element(3);
  EXPECT_FALSE(cell.try_enqueue(z));
  EXPECT_NE(z, nullptr);
  EXPECT_EQ(log.entered, 2);
}

namespace {

/// The two ways through a door: a thread's marker (every send's way) and
/// the cell's counter (a send from inside an enqueue or an exiting thread).
enum class send_path { marker, counted };

bool send_through(activation_cell& cell, caf::mailbox_element_ptr& x,
                  send_path path) {
  return path == send_path::marker ? cell.try_enqueue(x)
                                   : cell.try_enqueue_counted(x);
}

/// Holds a sender inside `cell`'s enqueue (`log` is its probe's), runs
/// `close` on another thread meanwhile, and checks that the close returns
/// only once the held message has arrived.
template <class Close>
void expect_close_waits_for_held_sender(activation_cell& cell, door_log& log,
                                        send_path path, Close close) {
  std::promise<void> inside;
  std::promise<void> release;
  auto released = release.get_future().share();
  log.inside = [&] {
    inside.set_value();
    released.wait();
  };
  std::thread sender{[&] {
    auto x = element(1);
    EXPECT_TRUE(send_through(cell, x, path));
  }};
  inside.get_future().wait();
  auto closed = std::async(std::launch::async, [&] {
    close();
    return log.entered.load();
  });
  // A close that does not wait returns at once; this bound only decides
  // how soon such a close is caught, never whether a correct one passes.
  EXPECT_EQ(closed.wait_for(100ms), std::future_status::timeout);
  release.set_value();
  EXPECT_EQ(closed.get(), 1) << "close returned before the message arrived";
  sender.join();
  log.inside = nullptr;
}

} // namespace

TEST_F(ActivationCell, CloseWaitsForASendInsideTheDoor) {
  auto& log = make_log();
  auto& cell = open_cell(log);
  expect_close_waits_for_held_sender(cell, log, send_path::marker,
                                     [&] { cell.close(); });
}

TEST_F(ActivationCell, CloseWaitsForACountedSendInsideTheDoor) {
  auto& log = make_log();
  auto& cell = open_cell(log);
  expect_close_waits_for_held_sender(cell, log, send_path::counted,
                                     [&] { cell.close(); });
}

TEST_F(ActivationCell, CloseAllShutsEveryDoorAndWaitsForEach) {
  auto& first_log = make_log();
  auto& second_log = make_log();
  auto& first = open_cell(first_log);
  auto& second = open_cell(second_log);
  std::vector<activation_cell*> both{&first, &second};
  expect_close_waits_for_held_sender(second, second_log, send_path::marker,
                                     [&] { activation_cell::close_all(both); });
  for (auto* cell : both) {
    auto x = element(2);
    EXPECT_FALSE(cell->try_enqueue(x));
    EXPECT_NE(x, nullptr);
  }
  // Closed under the lock already: clearing needs no second wait.
  first.clear();
  auto y = element(3);
  EXPECT_FALSE(first.try_enqueue(y));
}

namespace {

/// What one race of senders against a closing thread counted.
struct race_counts {
  std::atomic<int64_t> sent{0};
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> refused_and_kept{0};
  int64_t closes = 0;
};

/// Two threads send through `cell` on `path` while this thread closes and
/// reopens it, marking `log` settled while the door is closed.
void race_sends_against_closes(activation_cell& cell, door_log& log,
                               send_path path, race_counts& counts) {
  constexpr int senders = 2;
  constexpr int per_sender = 20000;
  std::atomic<int> running{senders};
  std::vector<std::thread> threads;
  threads.reserve(senders);
  for (int t = 0; t < senders; ++t)
    threads.emplace_back([&] {
      // Until each sender has also met the door both open and closed a few
      // times (up to a bound), so that every race has sends meet closes.
      int64_t accepted = 0;
      int64_t refused = 0;
      for (int i = 0;
           i < per_sender
           || ((accepted < 10 || refused < 10) && i < 4 * per_sender);
           ++i) {
        auto x = element(i);
        if (send_through(cell, x, path))
          ++accepted;
        else if (x != nullptr)
          ++refused;
        counts.sent.fetch_add(1);
      }
      counts.accepted.fetch_add(accepted);
      counts.refused_and_kept.fetch_add(refused);
      running.fetch_sub(1);
    });
  // Each phase long enough for a send that slipped past the close to
  // arrive, and for senders to find the door open between closes.
  auto spin = [&] {
    for (int i = 0; i < 2000; ++i)
      log.spins.fetch_add(1, std::memory_order_relaxed);
  };
  while (running.load() > 0) {
    cell.close();
    log.settled = true;
    spin();
    log.settled = false;
    cell.reopen();
    spin();
    ++counts.closes;
  }
  for (auto& t : threads)
    t.join();
}

} // namespace

namespace {

/// Races senders on `path` against closes and checks that no message
/// entered the door while it was closed, and that none was lost.
void expect_no_send_behind_a_closed_door(activation_cell& cell, door_log& log,
                                         send_path path) {
  race_counts counts;
  // A send that slips past a close is a matter of nanoseconds: many short
  // races catch it far more often than one long one. A sanitizer cannot
  // see that ordering, only the data the races share, for which a few
  // races do.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int races = 4;
#else
  constexpr int races = 150;
#endif
  for (int race = 0; race < races; ++race)
    race_sends_against_closes(cell, log, path, counts);
  EXPECT_EQ(log.behind_closed_door, 0);
  EXPECT_EQ(counts.accepted + counts.refused_and_kept, counts.sent);
  EXPECT_EQ(log.entered, counts.accepted);
  EXPECT_GT(counts.refused_and_kept, 0);
  EXPECT_GT(counts.accepted, 0);
  EXPECT_GT(counts.closes, 0);
}

} // namespace

TEST_F(ActivationCell, NoSendEntersADoorWhileItIsClosed) {
  auto& log = make_log();
  auto& cell = open_cell(log);
  expect_no_send_behind_a_closed_door(cell, log, send_path::marker);
}

TEST_F(ActivationCell, NoCountedSendEntersADoorWhileItIsClosed) {
  auto& log = make_log();
  auto& cell = open_cell(log);
  expect_no_send_behind_a_closed_door(cell, log, send_path::counted);
}

TEST_F(ActivationCell, ASendFromInsideAnEnqueueGetsThrough) {
  auto& outer_log = make_log();
  auto& inner_log = make_log();
  auto& outer = open_cell(outer_log);
  auto& inner = open_cell(inner_log);
  std::atomic<int> nested_accepted{0};
  bool outer_still_announced = false;
  bool inner_announced = true;
  // The thread's marker names `outer` while this runs; the nested send
  // must leave it so, and take the counter instead.
  outer_log.inside = [&] {
    auto x = element(2);
    if (inner.try_enqueue(x))
      nested_accepted.fetch_add(1);
    outer_still_announced = send_marker::any_names(&outer);
    inner_announced = send_marker::any_names(&inner);
  };
  auto x = element(1);
  ASSERT_TRUE(outer.try_enqueue(x));
  EXPECT_EQ(nested_accepted, 1);
  EXPECT_EQ(inner_log.entered, 1);
  EXPECT_TRUE(outer_still_announced);
  EXPECT_FALSE(inner_announced);
  EXPECT_FALSE(send_marker::any_names(&outer));
  // Both doors are empty again: neither close waits forever.
  inner.close();
  outer.close();
}

namespace {

/// Sends through a cell from its destructor, which runs when its thread
/// exits, after the thread has given its send marker back.
struct send_at_exit {
  activation_cell* cell = nullptr;
  std::promise<bool>* result = nullptr;

  ~send_at_exit() {
    if (cell == nullptr)
      return;
    auto x = element(7);
    result->set_value(cell->try_enqueue(x));
  }
};

} // namespace

TEST_F(ActivationCell, AnExitingThreadStillSends) {
  auto& log = make_log();
  auto& cell = open_cell(log);
  // Whether a marker named the cell during each send: the first send's
  // does, the exiting thread's send has none left and is counted.
  std::vector<bool> announced;
  log.inside = [&] { announced.push_back(send_marker::any_names(&cell)); };
  std::promise<bool> at_exit;
  std::thread sender{[&] {
    // Constructed before the first send claims a marker, so destroyed
    // after the marker is given back.
    thread_local send_at_exit late;
    late.cell = &cell;
    late.result = &at_exit;
    auto x = element(1);
    EXPECT_TRUE(cell.try_enqueue(x));
  }};
  sender.join();
  EXPECT_TRUE(at_exit.get_future().get());
  EXPECT_EQ(log.entered, 2);
  EXPECT_EQ(announced, (std::vector<bool>{true, false}));
  log.inside = nullptr;
  cell.close();
}
