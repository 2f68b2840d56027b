// A worker pool of `sleeper` workers, as the pool and metrics tests use it.
#pragma once

#include <horae/patterns/worker_pool.hpp>

#include "patterns/support/pattern_harness.hpp"
#include <gtest/gtest.h>

namespace horae::test {

/// Spawns a pool of `workers` sleepers with a queue of `capacity` jobs;
/// fails the current test if the pool cannot be spawned.
inline caf::actor sleeper_pool(runtime& rt, size_t workers, size_t capacity,
                               overflow_policy policy = overflow_policy::reject,
                               clock::duration timeout = clock::duration{0}) {
  worker_pool_options opts;
  opts.workers = workers;
  opts.capacity = capacity;
  opts.overflow = policy;
  opts.job_timeout = timeout;
  opts.worker = sleeper();
  auto res = spawn_worker_pool(rt, opts);
  EXPECT_TRUE(res) << describe(res.error());
  return res ? *res : caf::actor{};
}

} // namespace horae::test
