// pattern_jobs: a worker pool with a bounded queue and per-job deadlines,
// guarded by a token-bucket rate limiter, with a retrying client.
#include <cstdio>
#include <future>

#include <caf/all.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/patterns/rate_limiter.hpp>
#include <horae/patterns/retry.hpp>
#include <horae/patterns/worker_pool.hpp>

using namespace std::chrono_literals;

int main() {
  horae::config cfg;
  cfg.add_module(horae::timers_module());
  auto rt = horae::runtime::make(std::move(cfg));
  if (!rt) {
    std::fprintf(stderr, "%s\n", horae::describe(rt.error()).c_str());
    return 1;
  }
  // Workers square numbers; 13 is "unlucky" and fails, 99 takes too long.
  horae::worker_pool_options pool_opts;
  pool_opts.workers = 3;
  pool_opts.capacity = 8;
  pool_opts.job_timeout = 200ms;
  pool_opts.worker = [](horae::actor* self) -> caf::behavior {
    return {[self](int x) -> caf::result<int> {
      if (x == 13)
        return horae::make_error(horae::errc::not_found, "unlucky 13");
      if (x == 99) {
        auto rp = self->make_response_promise();
        self->delayed_send(self, 1s, x); // never answers in time
        return rp;
      }
      return x * x;
    }};
  };
  auto pool = horae::spawn_worker_pool(**rt, pool_opts);
  horae::rate_limiter_options rl_opts;
  rl_opts.burst = 5;
  rl_opts.tokens_per_refill = 5;
  rl_opts.refill_interval = 100ms;
  auto limiter = horae::spawn_rate_limiter(**rt, rl_opts);
  horae::retry_options retry_opts;
  retry_opts.target = *pool;
  retry_opts.max_attempts = 3;
  retry_opts.backoff.initial_delay = 20ms;
  auto retry = horae::spawn_retry(**rt, retry_opts);
  if (!pool || !limiter || !retry) {
    std::fprintf(stderr, "could not spawn the patterns\n");
    return 1;
  }
  std::promise<void> done;
  auto jobs = std::vector<int>{1, 2, 3, 13, 4, 5, 99, 6, 7, 8, 9, 10};
  (*rt)->system().spawn([&](caf::event_based_actor* self) {
    auto left = std::make_shared<size_t>(jobs.size());
    for (int x : jobs) {
      // Take a token (waiting for a refill if needed), then submit through
      // the retry actor, which re-submits failures with backoff.
      self->request(*limiter, 5s, horae::acquire_atom::value)
        .then([=, &done](uint64_t) {
          self->request(*retry, 5s, x)
            .then(
              [=, &done](int y) {
                std::printf("job %2d -> %d\n", x, y);
                if (--*left == 0)
                  done.set_value();
              },
              [=, &done](caf::error& err) {
                std::printf("job %2d -> %s\n", x, horae::describe(err).c_str());
                if (--*left == 0)
                  done.set_value();
              });
        });
    }
  });
  done.get_future().wait();
  std::promise<horae::worker_pool_stats> closed;
  (*rt)->system().spawn([&](caf::event_based_actor* self) {
    self->request(*pool, 5s, horae::close_atom::value)
      .then([&](horae::worker_pool_stats& s) { closed.set_value(s); });
  });
  auto s = closed.get_future().get();
  std::printf("pool closed: accepted %llu, completed %llu, failed %llu, "
              "timed out %llu\n",
              static_cast<unsigned long long>(s.accepted),
              static_cast<unsigned long long>(s.completed),
              static_cast<unsigned long long>(s.failed),
              static_cast<unsigned long long>(s.timed_out));
  (*rt)->shutdown();
  return 0;
}
