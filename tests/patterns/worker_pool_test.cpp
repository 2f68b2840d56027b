// Worker pool on manual time: bound and both overflow policies, drain on
// close, per-job deadlines, cancellation, error passing and validation.
#include <horae/patterns/worker_pool.hpp>

#include "patterns/support/pattern_harness.hpp"
#include "patterns/support/sleeper_pool.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;
using test::count;

namespace {

struct fixture : ::testing::Test {
  std::unique_ptr<runtime> rt = test::timer_runtime();
  caf::actor client = test::spawn_client(*rt);
  test::outcomes out = test::make_outcomes();

  caf::actor pool(size_t workers, size_t capacity,
                  overflow_policy policy = overflow_policy::reject,
                  clock::duration timeout = 0ms) {
    return test::sleeper_pool(*rt, workers, capacity, policy, timeout);
  }

  void submit(const caf::actor& p, int ms) {
    test::request_int(*rt, client, p, caf::make_message(ms), out);
  }

  worker_pool_stats stats(const caf::actor& p) {
    return test::ask<worker_pool_stats>(*rt, client, p,
                                        caf::make_message(stats_atom::value));
  }
};

using WorkerPool = fixture;

} // namespace

// With reject, exactly the jobs beyond running + capacity fail at once.
TEST_F(WorkerPool, RejectsJobsBeyondTheBound) {
  auto p = pool(1, 2);
  for (int i = 0; i < 5; ++i)
    submit(p, 10);
  EXPECT_EQ(count(out, errc::backpressure), 2u);
  EXPECT_EQ(out->size(), 2u) << "accepted jobs answered before running";
  rt->advance(30ms);
  EXPECT_EQ(count(out, errc::none), 3u);
  auto s = stats(p);
  EXPECT_EQ(s.accepted, 3u);
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_EQ(s.completed, 3u);
}

// With hold, jobs beyond the bound wait unanswered and run later, in order.
TEST_F(WorkerPool, HoldPolicyMakesSendersWaitAndKeepsOrder) {
  auto p = pool(1, 1, overflow_policy::hold);
  for (int ms : {10, 11, 12, 13})
    submit(p, ms);
  auto s = stats(p);
  EXPECT_EQ(s.busy, 1u);
  EXPECT_EQ(s.queued, 1u);
  EXPECT_EQ(s.held, 2u);
  EXPECT_TRUE(out->empty());
  rt->advance(60ms);
  ASSERT_EQ(out->size(), 4u);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(out->at(i).value, 10 + static_cast<int>(i));
  EXPECT_EQ(stats(p).rejected, 0u);
}

// Close stops intake but every accepted job still gets its result.
TEST_F(WorkerPool, CloseDrainsEveryAcceptedJob) {
  auto p = pool(2, 10);
  for (int i = 0; i < 8; ++i)
    submit(p, 10);
  auto closed = std::make_shared<std::optional<worker_pool_stats>>();
  test::in_actor(*rt, client, [=](actor* self) {
    self->request(p, caf::infinite, close_atom::value)
      .then([closed](worker_pool_stats& s) { *closed = s; });
  });
  submit(p, 10);
  EXPECT_EQ(count(out, errc::closed), 1u);
  EXPECT_FALSE(*closed) << "answered before the drain finished";
  rt->advance(40ms);
  EXPECT_EQ(count(out, errc::none), 8u);
  ASSERT_TRUE(*closed);
  EXPECT_EQ((*closed)->completed, 8u);
  EXPECT_EQ((*closed)->refused_closed, 1u);
}

// Close answers held (never accepted) jobs with errc::closed.
TEST_F(WorkerPool, CloseRefusesHeldJobs) {
  auto p = pool(1, 1, overflow_policy::hold);
  for (int i = 0; i < 4; ++i)
    submit(p, 10);
  caf::anon_send(p, close_atom::value);
  rt->run_until_idle();
  EXPECT_EQ(count(out, errc::closed), 2u);
  rt->advance(20ms);
  EXPECT_EQ(count(out, errc::none), 2u);
}

// A job that outlives its deadline, running or queued, gets errc::timeout at
// exactly the deadline and its late result is discarded.
TEST_F(WorkerPool, PerJobTimeoutAnswersAtTheDeadline) {
  auto p = pool(1, 4, overflow_policy::reject, 50ms);
  submit(p, 100); // runs, exceeds the deadline
  submit(p, 10);  // waits behind it, also exceeds the deadline
  rt->advance(49ms);
  EXPECT_TRUE(out->empty());
  rt->advance(1ms);
  EXPECT_EQ(count(out, errc::timeout), 2u);
  rt->advance(100ms);
  EXPECT_EQ(out->size(), 2u) << "late result reached the requester";
  auto s = stats(p);
  EXPECT_EQ(s.timed_out, 2u);
  EXPECT_EQ(s.completed, 0u);
  EXPECT_EQ(s.busy, 0u);
}

// A job that finishes before its deadline is not affected by it.
TEST_F(WorkerPool, JobWithinDeadlineSucceeds) {
  auto p = pool(1, 4, overflow_policy::reject, 50ms);
  submit(p, 49);
  rt->advance(100ms);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_TRUE(out->at(0).ok);
}

// cancel_atom answers every queued job with errc::cancelled, not the
// running one, and reports how many it cancelled.
TEST_F(WorkerPool, CancelAnswersQueuedJobs) {
  auto p = pool(1, 8);
  for (int i = 0; i < 4; ++i)
    submit(p, 10);
  auto n = test::ask<uint64_t>(*rt, client, p,
                               caf::make_message(cancel_atom::value));
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(count(out, errc::cancelled), 3u);
  rt->advance(10ms);
  EXPECT_EQ(count(out, errc::none), 1u);
}

// cancel_atom with a tag only cancels queued jobs carrying that tag.
TEST_F(WorkerPool, CancelByTagLeavesOtherJobs) {
  auto p = pool(1, 8);
  submit(p, 10);
  for (uint64_t tag : {7u, 8u, 7u})
    test::request_int(*rt, client, p,
                      caf::make_message(tagged_job{tag, caf::make_message(5)}),
                      out);
  auto n = test::ask<uint64_t>(
    *rt, client, p, caf::make_message(cancel_atom::value, uint64_t{7}));
  EXPECT_EQ(n, 2u);
  rt->advance(20ms);
  EXPECT_EQ(count(out, errc::cancelled), 2u);
  EXPECT_EQ(count(out, errc::none), 2u);
}

// A worker's error reaches the requester unchanged.
TEST_F(WorkerPool, WorkerErrorsReachTheRequester) {
  auto p = pool(2, 4);
  submit(p, -1);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ(out->at(0).code, errc::not_found);
  EXPECT_EQ(stats(p).failed, 1u);
}

// A worker that dies in the middle of a job: its requester gets an error
// instead of waiting forever, and a new worker takes the next job.
TEST_F(WorkerPool, DeadWorkerAnswersItsJobAndIsReplaced) {
  worker_pool_options opts;
  opts.workers = 1;
  opts.capacity = 4;
  opts.worker = [](actor* self) -> caf::behavior {
    return {
      [self](int job) -> caf::result<int> {
        if (job == 999) { // dies without answering
          self->quit(caf::sec::runtime_error);
          return caf::delegated<int>{};
        }
        return job;
      },
    };
  };
  auto p = *spawn_worker_pool(*rt, opts);
  submit(p, 999);
  submit(p, 7);
  rt->run_until_idle();
  ASSERT_EQ(out->size(), 2u) << "a job of the dead worker went unanswered";
  EXPECT_FALSE(out->at(0).ok);
  EXPECT_TRUE(out->at(1).ok) << "no worker replaced the dead one";
  EXPECT_EQ(out->at(1).value, 7);
}

// A pool that is killed answers every job it accepted or held instead of
// leaving its requesters waiting: the waiting ones bounce as a dead actor's
// mailbox does, the running one's worker still answers.
TEST_F(WorkerPool, KilledPoolAnswersEveryJob) {
  auto p = pool(1, 2, overflow_policy::hold);
  for (int i = 0; i < 4; ++i) // one running, two queued, one held
    submit(p, 10);
  rt->run_until_idle();
  EXPECT_EQ(out->size(), 0u);
  caf::anon_send_exit(p, caf::exit_reason::kill);
  rt->run_until_idle();
  rt->advance(20ms);
  ASSERT_EQ(out->size(), 4u) << "a requester of the killed pool still waits";
  size_t bounced = 0;
  for (auto& o : *out)
    bounced
      += !o.ok && o.what.find("request_receiver_down") != std::string::npos;
  EXPECT_EQ(bounced, 3u);
  EXPECT_TRUE(out->back().ok) << "the running job's answer was lost";
}

// Jobs run on at most `workers` workers at once.
TEST_F(WorkerPool, RunsAtMostWorkersJobsAtOnce) {
  auto started = std::make_shared<int>(0);
  worker_pool_options opts;
  opts.workers = 3;
  opts.capacity = 10;
  opts.worker = test::sleeper(started);
  auto p = *spawn_worker_pool(*rt, opts);
  for (int i = 0; i < 7; ++i)
    submit(p, 10);
  EXPECT_EQ(*started, 3);
  rt->advance(10ms);
  EXPECT_EQ(*started, 6);
  rt->advance(20ms);
  EXPECT_EQ(count(out, errc::none), 7u);
}

// Bad options are refused with errc::invalid_argument.
TEST_F(WorkerPool, RejectsInvalidOptions) {
  worker_pool_options opts;
  opts.worker = test::sleeper();
  auto bad = [&](auto mutate) {
    auto copy = opts;
    mutate(copy);
    auto res = spawn_worker_pool(*rt, copy);
    return !res && code_of(res.error()) == errc::invalid_argument;
  };
  EXPECT_TRUE(bad([](auto& o) { o.workers = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.capacity = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.job_timeout = -1ms; }));
  EXPECT_TRUE(bad([](auto& o) { o.worker = nullptr; }));
  EXPECT_FALSE(bad([](auto&) {}));
}
