// Pipeline and fan-out/fan-in on manual time: order guarantees, error and
// cancellation paths, bounds and validation.
#include <horae/patterns/fan_out.hpp>
#include <horae/patterns/pipeline.hpp>

#include "patterns/support/pattern_harness.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using test::count;

namespace {

// A stage that answers at once with `x + 1`, or fails for negative input.
actor_factory plus_one() {
  return [](actor*) -> caf::behavior {
    return {[](int x) -> caf::result<int> {
      if (x < 0)
        return make_error(errc::not_found, "negative item");
      return x + 1;
    }};
  };
}

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  caf::actor client = test::spawn_client(*rt);
  test::outcomes out = test::make_outcomes();

  caf::actor pipeline(std::vector<actor_factory> stages, bool ordered = true,
                      size_t max_in_flight = 64) {
    pipeline_options opts;
    opts.stages = std::move(stages);
    opts.ordered = ordered;
    opts.max_in_flight = max_in_flight;
    auto res = spawn_pipeline(*rt, opts);
    EXPECT_TRUE(res) << describe(res.error());
    return *res;
  }

  void submit(const caf::actor& p, int x) {
    test::request_int(*rt, client, p, caf::make_message(x), out);
  }

  std::vector<int> values() const {
    std::vector<int> xs;
    for (auto& o : *out)
      xs.push_back(o.ok ? o.value : -1000);
    return xs;
  }
};

using Pipeline = fixture;
using FanOut = fixture;

// Items pass every stage in turn: the answer is the last stage's output.
TEST_F(Pipeline, ItemsPassEveryStage) {
  auto p = pipeline({plus_one(), plus_one(), plus_one()});
  submit(p, 1);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0).value, 4);
}

// ordered: answers leave in submission order although later items finish
// first inside an asynchronous stage.
TEST_F(Pipeline, OrderedAnswersInSubmissionOrder) {
  auto p = pipeline({plus_one(), test::sleeper()});
  for (int x : {29, 9, 19})
    submit(p, x);
  rt->advance(20ms);
  EXPECT_TRUE(out->empty()) << "a later item overtook the first";
  rt->advance(10ms);
  EXPECT_EQ(values(), (std::vector<int>{30, 10, 20}));
}

// unordered: each item is answered as soon as it leaves the last stage.
TEST_F(Pipeline, UnorderedAnswersInCompletionOrder) {
  auto p = pipeline({plus_one(), test::sleeper()}, false);
  for (int x : {29, 9, 19})
    submit(p, x);
  rt->advance(30ms);
  EXPECT_EQ(values(), (std::vector<int>{10, 20, 30}));
}

// A stage error answers the item at once and later stages never see it.
TEST_F(Pipeline, StageErrorSkipsLaterStages) {
  auto started = std::make_shared<int>(0);
  auto p = pipeline({plus_one(), test::sleeper(started)});
  submit(p, -5);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0).code, errc::not_found);
  EXPECT_EQ(*started, 0);
}

// cancel answers every item inside with errc::cancelled; late stage results
// are discarded.
TEST_F(Pipeline, CancelAnswersItemsInside) {
  auto p = pipeline({test::sleeper()});
  for (int x : {10, 20, 30})
    submit(p, x);
  auto n = test::ask<uint64_t>(*rt, client, p,
                               caf::make_message(cancel_atom::value));
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(count(out, errc::cancelled), 3u);
  rt->advance(50ms);
  EXPECT_EQ(out->size(), 3u);
}

// Beyond max_in_flight, items are refused with errc::backpressure.
TEST_F(Pipeline, RefusesItemsBeyondMaxInFlight) {
  auto p = pipeline({test::sleeper()}, true, 2);
  for (int x : {10, 10, 10, 10})
    submit(p, x);
  EXPECT_EQ(count(out, errc::backpressure), 2u);
  rt->advance(10ms);
  EXPECT_EQ(count(out, errc::none), 2u);
}

// close lets accepted items finish, then answers with the counters.
TEST_F(Pipeline, CloseDrainsAcceptedItems) {
  auto p = pipeline({test::sleeper()});
  submit(p, 10);
  submit(p, 20);
  auto closed = std::make_shared<std::optional<pipeline_stats>>();
  test::in_actor(*rt, client, [=](actor* self) {
    self->request(p, caf::infinite, close_atom::value)
      .then([closed](pipeline_stats& s) { *closed = s; });
  });
  submit(p, 5);
  EXPECT_EQ(count(out, errc::closed), 1u);
  rt->advance(20ms);
  ASSERT_TRUE(*closed);
  EXPECT_EQ((*closed)->completed, 2u);
}

// Bad options are refused with errc::invalid_argument.
TEST_F(Pipeline, RejectsInvalidOptions) {
  pipeline_options none;
  EXPECT_EQ(code_of(spawn_pipeline(*rt, none).error()), errc::invalid_argument);
  pipeline_options empty_stage;
  empty_stage.stages = {plus_one(), nullptr};
  EXPECT_EQ(code_of(spawn_pipeline(*rt, empty_stage).error()),
            errc::invalid_argument);
  pipeline_options zero;
  zero.stages = {plus_one()};
  zero.max_in_flight = 0;
  EXPECT_EQ(code_of(spawn_pipeline(*rt, zero).error()), errc::invalid_argument);
}

// -- fan-out / fan-in ---------------------------------------------------------

struct joined {
  std::optional<fan_in_result> result;
  errc code = errc::none;
};

std::shared_ptr<joined> run_batch(runtime& rt, const caf::actor& client,
                                  const caf::actor& fan,
                                  std::vector<int> items) {
  auto j = std::make_shared<joined>();
  fan_out_batch b;
  for (int x : items)
    b.items.push_back(caf::make_message(x));
  test::in_actor(rt, client, [=](actor* self) {
    self->request(fan, caf::infinite, b)
      .then([j](fan_in_result& r) { j->result = std::move(r); },
            [j](caf::error& e) { j->code = code_of(e); });
  });
  return j;
}

std::vector<int> ints(const fan_in_result& r) {
  std::vector<int> xs;
  for (auto& m : r.results)
    xs.push_back(m.get_as<int>(0));
  return xs;
}

caf::actor fan(runtime& rt, fan_in_order order, size_t workers = 4) {
  fan_out_options opts;
  opts.workers = workers;
  opts.worker = test::sleeper();
  opts.order = order;
  return *spawn_fan_out(rt, opts);
}

} // namespace

// preserve: results[i] belongs to items[i] whatever the completion order.
TEST_F(FanOut, PreserveOrderJoinsInInputOrder) {
  auto f = fan(*rt, fan_in_order::preserve);
  auto j = run_batch(*rt, client, f, {40, 10, 30, 20});
  rt->advance(39ms);
  EXPECT_FALSE(j->result) << "joined before the last item";
  rt->advance(1ms);
  ASSERT_TRUE(j->result);
  EXPECT_EQ(ints(*j->result), (std::vector<int>{40, 10, 30, 20}));
  EXPECT_EQ(j->result->index, (std::vector<uint64_t>{0, 1, 2, 3}));
}

// tagged: results in completion order, each tagged with its input position.
TEST_F(FanOut, TaggedOrderNamesInputPositions) {
  auto f = fan(*rt, fan_in_order::tagged);
  auto j = run_batch(*rt, client, f, {40, 10, 30, 20});
  rt->advance(40ms);
  ASSERT_TRUE(j->result);
  EXPECT_EQ(ints(*j->result), (std::vector<int>{10, 20, 30, 40}));
  EXPECT_EQ(j->result->index, (std::vector<uint64_t>{1, 3, 2, 0}));
}

// The first item error fails the whole batch at once (fail fast).
TEST_F(FanOut, FirstItemErrorFailsTheBatch) {
  auto f = fan(*rt, fan_in_order::preserve);
  auto j = run_batch(*rt, client, f, {30, -1, 20});
  EXPECT_EQ(j->code, errc::not_found);
  rt->advance(50ms);
  EXPECT_FALSE(j->result);
}

// cancel answers every unfinished batch with errc::cancelled.
TEST_F(FanOut, CancelAnswersUnfinishedBatches) {
  auto f = fan(*rt, fan_in_order::preserve);
  auto j1 = run_batch(*rt, client, f, {10, 20});
  auto j2 = run_batch(*rt, client, f, {30});
  auto n = test::ask<uint64_t>(*rt, client, f,
                               caf::make_message(cancel_atom::value));
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(j1->code, errc::cancelled);
  EXPECT_EQ(j2->code, errc::cancelled);
  rt->advance(50ms);
  EXPECT_FALSE(j1->result);
}

// An empty batch joins at once to an empty result.
TEST_F(FanOut, EmptyBatchJoinsAtOnce) {
  auto f = fan(*rt, fan_in_order::preserve);
  auto j = run_batch(*rt, client, f, {});
  ASSERT_TRUE(j->result);
  EXPECT_TRUE(j->result->results.empty());
}

// Bad options are refused with errc::invalid_argument.
TEST_F(FanOut, RejectsInvalidOptions) {
  fan_out_options opts;
  opts.worker = test::sleeper();
  opts.workers = 0;
  EXPECT_EQ(code_of(spawn_fan_out(*rt, opts).error()), errc::invalid_argument);
  opts.workers = 2;
  opts.worker = nullptr;
  EXPECT_EQ(code_of(spawn_fan_out(*rt, opts).error()), errc::invalid_argument);
}
