// Broadcast on manual time: delivery to every subscriber in order, the three
// slow-subscriber policies with exact counts, membership changes.
#include <horae/patterns/broadcast.hpp>

#include "patterns/support/pattern_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

using received = std::shared_ptr<std::vector<int>>;

// A subscriber that records every int and acknowledges it `delay` later.
actor_factory subscriber(received rec, std::chrono::milliseconds delay) {
  return [rec, delay](actor* self) -> caf::behavior {
    auto pending
      = std::make_shared<std::map<uint64_t, caf::response_promise>>();
    auto next = std::make_shared<uint64_t>(0);
    return {
      [=](int x) -> caf::result<int> {
        rec->push_back(x);
        if (delay == 0ms)
          return x;
        auto key = (*next)++;
        pending->emplace(key, self->make_response_promise());
        self->delayed_send(self, delay, test::wake_atom::value, key, x);
        return pending->at(key);
      },
      [=](test::wake_atom, uint64_t key, int x) {
        pending->at(key).deliver(x);
        pending->erase(key);
      },
    };
  };
}

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  caf::actor client = test::spawn_client(*rt);

  caf::actor make(broadcast_options opts) {
    auto res = spawn_broadcast(*rt, opts);
    EXPECT_TRUE(res) << describe(res.error());
    return *res;
  }

  caf::actor add(const caf::actor& bc, received rec,
                 std::chrono::milliseconds delay) {
    auto sub = rt->spawn(subscriber(rec, delay));
    EXPECT_TRUE(test::ask<bool>(*rt, client, bc,
                                caf::make_message(subscribe_atom::value, sub)));
    return sub;
  }

  // Publishes a burst (faster than any acknowledgement can come back).
  void publish(const caf::actor& bc, int from, int to) {
    for (int i = from; i <= to; ++i)
      caf::anon_send(bc, i);
    rt->run_until_idle();
  }

  // Publishes one message at a time, letting fast subscribers keep up.
  void publish_paced(const caf::actor& bc, int from, int to) {
    for (int i = from; i <= to; ++i) {
      caf::anon_send(bc, i);
      rt->run_until_idle();
    }
  }

  broadcast_stats stats(const caf::actor& bc) {
    return test::ask<broadcast_stats>(*rt, client, bc,
                                      caf::make_message(stats_atom::value));
  }
};

using Broadcast = fixture;

std::vector<int> seq(std::initializer_list<int> xs) {
  return xs;
}

} // namespace

// Every subscriber receives every message, in publication order.
TEST_F(Broadcast, DeliversEveryMessageToEverySubscriberInOrder) {
  auto bc = make({});
  std::vector<received> recs;
  std::vector<caf::actor> subs;
  for (int i = 0; i < 3; ++i) {
    recs.push_back(std::make_shared<std::vector<int>>());
    subs.push_back(add(bc, recs.back(), 0ms));
  }
  publish(bc, 1, 5);
  for (auto& r : recs)
    EXPECT_EQ(*r, seq({1, 2, 3, 4, 5}));
  auto s = stats(bc);
  EXPECT_EQ(s.published, 5u);
  EXPECT_EQ(s.delivered, 15u);
  EXPECT_EQ(s.dropped_newest + s.dropped_oldest + s.evicted, 0u);
}

// drop_newest: beyond the bound, new messages are dropped and counted.
TEST_F(Broadcast, DropNewestDropsExactlyTheOverflow) {
  auto bc = make({3, 1, slow_subscriber_policy::drop_newest});
  auto rec = std::make_shared<std::vector<int>>();
  auto sub = add(bc, rec, 10ms);
  publish(bc, 1, 10); // 1 in flight + 2 buffered, 7 dropped
  rt->advance(100ms);
  EXPECT_EQ(*rec, seq({1, 2, 3}));
  auto s = stats(bc);
  EXPECT_EQ(s.dropped_newest, 7u);
  EXPECT_EQ(s.dropped_oldest, 0u);
  EXPECT_EQ(s.delivered, 3u);
  auto ss = test::ask<subscriber_stats>(
    *rt, client, bc, caf::make_message(stats_atom::value, sub));
  EXPECT_EQ(ss.dropped, 7u);
  EXPECT_EQ(ss.delivered, 3u);
}

// drop_oldest: the buffer keeps the newest messages; the rest are counted.
TEST_F(Broadcast, DropOldestKeepsTheNewestMessages) {
  auto bc = make({3, 1, slow_subscriber_policy::drop_oldest});
  auto rec = std::make_shared<std::vector<int>>();
  auto sub = add(bc, rec, 10ms);
  publish(bc, 1, 10); // 1 in flight; 2..8 pushed out by 4..10
  rt->advance(100ms);
  EXPECT_EQ(*rec, seq({1, 9, 10}));
  auto s = stats(bc);
  EXPECT_EQ(s.dropped_oldest, 7u);
  EXPECT_EQ(s.dropped_newest, 0u);
  EXPECT_EQ(s.delivered, 3u);
}

// unsubscribe: a subscriber over its bound is removed; one that keeps up
// stays.
TEST_F(Broadcast, UnsubscribePolicyEvictsOnlyTheSlowSubscriber) {
  auto bc = make({2, 1, slow_subscriber_policy::unsubscribe});
  auto fast_rec = std::make_shared<std::vector<int>>();
  auto slow_rec = std::make_shared<std::vector<int>>();
  auto fast = add(bc, fast_rec, 0ms);
  auto slow = add(bc, slow_rec, 10ms);
  publish_paced(bc, 1, 5); // slow: 1 in flight, 2 buffered, evicted at 3
  rt->advance(50ms);
  EXPECT_EQ(*fast_rec, seq({1, 2, 3, 4, 5}));
  EXPECT_EQ(*slow_rec, seq({1}));
  auto s = stats(bc);
  EXPECT_EQ(s.evicted, 1u);
  EXPECT_EQ(s.subscribers, 1u);
  EXPECT_EQ(s.discarded, 1u); // message 2, buffered at eviction
  EXPECT_EQ(s.delivered, 6u);
}

// After unsubscribe, an actor receives nothing more.
TEST_F(Broadcast, UnsubscribeStopsDelivery) {
  auto bc = make({});
  auto rec = std::make_shared<std::vector<int>>();
  auto sub = add(bc, rec, 0ms);
  publish(bc, 1, 2);
  EXPECT_TRUE(test::ask<bool>(*rt, client, bc,
                              caf::make_message(unsubscribe_atom::value, sub)));
  publish(bc, 3, 4);
  EXPECT_EQ(*rec, seq({1, 2}));
  EXPECT_EQ(stats(bc).subscribers, 0u);
}

// A subscriber that terminates is removed automatically.
TEST_F(Broadcast, TerminatedSubscriberIsRemoved) {
  auto bc = make({});
  auto rec = std::make_shared<std::vector<int>>();
  auto sub = add(bc, rec, 0ms);
  caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
  rt->run_until_idle();
  EXPECT_EQ(stats(bc).subscribers, 0u);
}

// A publishing request is answered with the number of subscribers reached.
TEST_F(Broadcast, PublishRequestAnswersSubscribersReached) {
  auto bc = make({});
  auto r1 = std::make_shared<std::vector<int>>();
  auto r2 = std::make_shared<std::vector<int>>();
  auto s1 = add(bc, r1, 0ms);
  auto s2 = add(bc, r2, 0ms);
  EXPECT_EQ(test::ask<uint64_t>(*rt, client, bc, caf::make_message(42)), 2u);
}

// Bad options are refused with errc::invalid_argument.
TEST_F(Broadcast, RejectsInvalidOptions) {
  auto zero_bound = spawn_broadcast(*rt, {0, 1});
  auto zero_window = spawn_broadcast(*rt, {4, 0});
  ASSERT_FALSE(zero_bound);
  ASSERT_FALSE(zero_window);
  EXPECT_EQ(code_of(zero_bound.error()), errc::invalid_argument);
  EXPECT_EQ(code_of(zero_window.error()), errc::invalid_argument);
}
