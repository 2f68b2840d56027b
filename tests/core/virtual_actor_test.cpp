// Virtual actors: activation on first message, idle deactivation on the
// manual clock, reactivation, and no message lost to a deactivation race.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <caf/mailbox_element.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "core/support/manual_runtime.hpp"
#include "core/support/probe_facet.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using horae::test::high_probe;
using horae::test::journal;
using horae::test::low_probe;
using horae::test::manual_runtime;

namespace {

struct counters {
  std::atomic<int> activations{0};
  std::atomic<int> messages{0};
};

actor_factory counting(std::shared_ptr<counters> c) {
  return [c](actor*) -> caf::behavior {
    ++c->activations;
    return {[c](int32_t) { ++c->messages; }};
  };
}

/// Runs the actor's first message, then lets its idle check (1 s) run and
/// stops right after the slot is vacated: the deterministic scheduler runs
/// the check, and the caller sends before the actor's termination is
/// processed.
void stop_right_after_vacating(runtime& rt) {
  rt.run_until_idle();
  rt.manual_clock()->advance(1s);
  auto& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(rt.system().scheduler());
  sched.advance_time(1s);
  sched.run_once(); // idle check: vacates and deactivates
}

} // namespace

// The first message through a reference activates the actor.
TEST(VirtualActor, ActivatesOnFirstMessage) {
  auto rt = manual_runtime();
  auto c = std::make_shared<counters>();
  ASSERT_FALSE(rt->define("account", counting(c), {10s}));
  auto ref = rt->ref("account", "42").value();
  EXPECT_EQ(rt->registry().active_count(), 0u);
  ASSERT_FALSE(ref.send(int32_t{1}));
  rt->run_until_idle();
  EXPECT_EQ(c->activations, 1);
  EXPECT_EQ(c->messages, 1);
  EXPECT_EQ(rt->registry().active_count(), 1u);
}

// After the idle timeout on the manual clock the actor deactivates, and the
// next message activates a new incarnation.
TEST(VirtualActor, IdleDeactivationAndReactivation) {
  auto rt = manual_runtime();
  auto c = std::make_shared<counters>();
  ASSERT_FALSE(rt->define("account", counting(c), {10s}));
  auto ref = rt->ref("account", "7").value();
  ASSERT_FALSE(ref.send(int32_t{1}));
  rt->run_until_idle();
  rt->advance(9s, 1s);
  EXPECT_EQ(rt->registry().active_count(), 1u) << "deactivated too early";
  rt->advance(1s, 1s);
  EXPECT_EQ(rt->registry().active_count(), 0u) << "not deactivated";
  ASSERT_FALSE(ref.send(int32_t{2}));
  rt->run_until_idle();
  EXPECT_EQ(c->activations, 2);
  EXPECT_EQ(c->messages, 2);
  EXPECT_EQ(rt->registry().incarnations("account", "7"), 2u);
}

// Activity resets the idle timer.
TEST(VirtualActor, MessagesKeepActorAlive) {
  auto rt = manual_runtime();
  auto c = std::make_shared<counters>();
  ASSERT_FALSE(rt->define("account", counting(c), {10s}));
  auto ref = rt->ref("account", "1").value();
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(ref.send(int32_t{i}));
    rt->advance(6s, 1s);
  }
  EXPECT_EQ(rt->registry().active_count(), 1u);
  EXPECT_EQ(c->activations, 1);
  rt->advance(10s, 1s);
  EXPECT_EQ(rt->registry().active_count(), 0u);
}

// Deactivation hooks run in priority order when an idle actor deactivates.
TEST(VirtualActor, DeactivationHooksRunInPriorityOrder) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  ASSERT_FALSE(rt->define("doc",
                          [log](actor* self) -> caf::behavior {
                            self->attach<low_probe>(log, "low", -5);
                            self->attach<high_probe>(log, "high", 5);
                            return {[](int32_t) {}};
                          },
                          {1s}));
  ASSERT_FALSE(rt->ref("doc", "a").value().send(int32_t{0}));
  rt->run_until_idle();
  log->entries.clear();
  rt->advance(1s, 100ms);
  EXPECT_EQ(log->entries,
            (std::vector<std::string>{"high:deactivate", "low:deactivate",
                                      "low:detach", "high:detach"}));
}

// Bad arguments are error values.
TEST(VirtualActor, RejectsBadDefinitionsAndReferences) {
  auto rt = manual_runtime();
  auto c = std::make_shared<counters>();
  EXPECT_EQ(code_of(rt->define("", counting(c))), errc::invalid_argument);
  EXPECT_EQ(code_of(rt->define("x", nullptr)), errc::invalid_argument);
  ASSERT_FALSE(rt->define("x", counting(c)));
  EXPECT_EQ(code_of(rt->define("x", counting(c))), errc::already_exists);
  EXPECT_EQ(code_of(rt->ref("nope", "1").error()), errc::not_found);
  EXPECT_EQ(code_of(rt->ref("x", "").error()), errc::invalid_argument);
  actor_type_options bad;
  bad.facets = {"no-such-facet"};
  EXPECT_EQ(code_of(rt->define("y", counting(c), bad)), errc::not_found);
}

// A message that arrives while the actor runs its deactivation hooks is
// parked and handed to the next activation.
TEST(VirtualActor, MessageDuringDeactivationIsParkedNotLost) {
  auto rt = manual_runtime();
  auto c = std::make_shared<counters>();
  std::shared_ptr<virtual_ref> self_ref;
  auto log = std::make_shared<journal>();
  ASSERT_FALSE(rt->define("svc",
                          [c, log](actor* self) -> caf::behavior {
                            ++c->activations;
                            self->attach<high_probe>(log, "high", 1);
                            return {[c](int32_t) { ++c->messages; }};
                          },
                          {1s}));
  auto ref = rt->ref("svc", "k").value();
  ASSERT_FALSE(ref.send(int32_t{1}));
  stop_right_after_vacating(*rt);
  ASSERT_FALSE(ref.send(int32_t{2}));
  rt->run_until_idle();
  EXPECT_EQ(c->messages, 2);
  EXPECT_EQ(c->activations, 2);
}

// A message parked during a deactivation after the key's placement moved
// elsewhere (the activation gate now refuses, as in a cluster after a
// handover) does not start a second activation here: it goes to the remote
// delivery, which carries it to the key's new home.
TEST(VirtualActor, ParkedMessageFollowsAKeyPlacedElsewhere) {
  auto rt = manual_runtime();
  auto c = std::make_shared<counters>();
  ASSERT_FALSE(rt->define("svc", counting(c), {1s}));
  auto ref = rt->ref("svc", "k").value();
  ASSERT_FALSE(ref.send(int32_t{1}));
  stop_right_after_vacating(*rt);
  std::vector<std::string> carried;
  rt->registry().set_activation_gate(
    [](const std::string&, const std::string&) -> caf::error {
      return make_error(errc::not_owner, "placed elsewhere");
    });
  rt->registry().set_remote_delivery(
    [&carried](const std::string& type, const std::string& key,
               caf::mailbox_element_ptr element) -> caf::error {
      auto msg = element->move_content_to_message();
      carried.push_back(type + "/" + key + ":"
                        + std::to_string(msg.get_as<int32_t>(0)));
      return caf::none;
    });
  ASSERT_FALSE(ref.send(int32_t{2})); // parked: the slot is vacating
  rt->run_until_idle();
  EXPECT_EQ(c->activations, 1) << "a second activation started here";
  EXPECT_EQ(c->messages, 1);
  EXPECT_EQ(carried, std::vector<std::string>{"svc/k:2"});
  EXPECT_EQ(rt->registry().active_count(), 0u);
  // Later sends go straight to the remote delivery.
  ASSERT_FALSE(ref.send(int32_t{3}));
  EXPECT_EQ(carried.back(), "svc/k:3");
}

// Many threads send through references while another thread keeps asking
// the actor to deactivate: every message is handled exactly once. Between two
// such rounds the actor is deactivated for sure, so the second round also
// starts from a fresh activation.
TEST(VirtualActor, DeactivationRaceLosesNothing) {
  config cfg;
  cfg.set("horae.scheduler.threads", caf::config_value{int64_t{2}});
  auto made = runtime::make(std::move(cfg));
  ASSERT_TRUE(made);
  auto rt = std::move(*made);
  auto c = std::make_shared<counters>();
  ASSERT_FALSE(rt->define("racer", counting(c), {0s}));
  constexpr int senders = 4;
  constexpr int per_sender = 5000;
  constexpr int per_round = senders * per_sender;
  auto ref = rt->ref("racer", "one").value();
  // Bounded waits: correctness never depends on their length.
  auto wait_for = [](auto predicate) {
    for (int i = 0; i < 12000 && !predicate(); ++i)
      std::this_thread::sleep_for(5ms);
  };
  auto round = [&] {
    std::atomic<bool> done{false};
    std::thread deactivator{[&] {
      while (!done) {
        ref.deactivate();
        std::this_thread::sleep_for(20us);
      }
    }};
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t)
      threads.emplace_back([&] {
        for (int i = 0; i < per_sender; ++i) {
          ASSERT_FALSE(ref.send(int32_t{i}));
          if (i % 64 == 0)
            std::this_thread::sleep_for(50us);
        }
      });
    for (auto& t : threads)
      t.join();
    done = true;
    deactivator.join();
  };
  round();
  wait_for([&] { return c->messages == per_round; });
  ASSERT_EQ(c->messages, per_round);
  ref.deactivate();
  wait_for([&] { return rt->registry().active_count() == 0; });
  ASSERT_EQ(rt->registry().active_count(), 0u);
  round();
  wait_for([&] { return c->messages == 2 * per_round; });
  EXPECT_EQ(c->messages, 2 * per_round);
  EXPECT_GE(c->activations, 2);
}
