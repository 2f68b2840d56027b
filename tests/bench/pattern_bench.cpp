// pattern_bench: horae pattern actors against the CAF 0.17 building blocks
// they extend, side by side in one run: worker pool vs caf::actor_pool
// (round robin, same workers) and broadcast vs a CAF local group.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <caf/all.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/patterns/broadcast.hpp>
#include <horae/patterns/worker_pool.hpp>

namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

// The work item of both pools: trivial, so that dispatch cost dominates.
caf::behavior add_one_worker() {
  return {[](int x) { return x + 1; }};
}

// Sends `n` int jobs to `target` from one event-based driver with at most
// `window` requests outstanding. @returns jobs per second.
double drive_jobs(caf::actor_system& sys, const caf::actor& target, int n,
                  int window) {
  std::promise<void> done;
  auto fut = done.get_future();
  auto t0 = steady::now();
  sys.spawn([&, target](caf::event_based_actor* self) {
    auto sent = std::make_shared<int>(0);
    auto recv = std::make_shared<int>(0);
    auto send_one = std::make_shared<std::function<void()>>();
    *send_one = [=, &done] {
      if (*sent == n)
        return;
      ++*sent;
      self->request(target, caf::infinite, *sent)
        .then(
          [=, &done](int) {
            if (++*recv == n) {
              done.set_value();
              self->quit();
              return;
            }
            (*send_one)();
          },
          [=](caf::error& err) {
            std::fprintf(stderr, "job failed: %s\n",
                         horae::describe(err).c_str());
            std::abort();
          });
    };
    for (int i = 0; i < window; ++i)
      (*send_one)();
    // The driver references itself through send_one; break the cycle.
    self->attach_functor([send_one] { *send_one = nullptr; });
  });
  fut.wait();
  return n / seconds_since(t0);
}

// Publishes `messages` ints to `publish` (one message each) and waits until
// every one of `subscribers` counted all of them. @returns deliveries/s.
double drive_broadcast(std::atomic<int64_t>& counter, int64_t total,
                       const std::function<void(int)>& publish, int messages) {
  counter = 0;
  auto t0 = steady::now();
  for (int i = 0; i < messages; ++i)
    publish(i);
  while (counter.load() < total)
    std::this_thread::sleep_for(std::chrono::microseconds{200});
  return static_cast<double>(total) / seconds_since(t0);
}

int arg_int(int argc, char** argv, const char* name, int fallback) {
  auto len = std::strlen(name);
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], name, len) == 0 && argv[i][len] == '=')
      return std::atoi(argv[i] + len + 1);
  return fallback;
}

} // namespace

int main(int argc, char** argv) {
  auto jobs = arg_int(argc, argv, "--jobs", 200'000);
  auto workers = arg_int(argc, argv, "--workers", 4);
  auto window = arg_int(argc, argv, "--window", 256);
  auto subscribers = arg_int(argc, argv, "--subscribers", 1'000);
  auto messages = arg_int(argc, argv, "--messages", 200);
  auto rounds = arg_int(argc, argv, "--rounds", 3);
  auto in_flight = arg_int(argc, argv, "--in-flight", 1);
  // --pool-side=1: only the horae pool, 2: only CAF's (to count each one's
  // instructions apart); 0, the default: both and their ratio.
  auto pool_side = arg_int(argc, argv, "--pool-side", 0);

  horae::config cfg;
  cfg.add_module(horae::timers_module());
  auto rt_res = horae::runtime::make(std::move(cfg));
  if (!rt_res) {
    std::fprintf(stderr, "%s\n", horae::describe(rt_res.error()).c_str());
    return 1;
  }
  auto& rt = **rt_res;
  auto& sys = rt.system();
  std::printf("machine: %u hardware threads; CAF scheduler threads: %zu\n",
              std::thread::hardware_concurrency(),
              sys.scheduler().num_workers());

  // -- worker pool vs caf::actor_pool ---------------------------------------

  horae::worker_pool_options opts;
  opts.workers = static_cast<size_t>(workers);
  opts.capacity = static_cast<size_t>(window) * 2;
  opts.worker = [](horae::actor*) { return add_one_worker(); };
  auto pool = *horae::spawn_worker_pool(rt, opts);
  caf::scoped_execution_unit ctx{&sys};
  auto caf_pool = caf::actor_pool::make(
    &ctx, static_cast<size_t>(workers),
    [&] { return sys.spawn(add_one_worker); }, caf::actor_pool::round_robin());

  std::printf("\nworker pool: %d jobs, %d workers, %d requests in flight\n",
              jobs, workers, window);
  double best_h = 0, best_c = 0;
  for (int r = 0; r < rounds; ++r) {
    auto h = pool_side != 2 ? drive_jobs(sys, pool, jobs, window) : 0.0;
    auto c = pool_side != 1 ? drive_jobs(sys, caf_pool, jobs, window) : 0.0;
    std::printf("  round %d: horae worker_pool %10.0f jobs/s   caf actor_pool "
                "%10.0f jobs/s\n",
                r + 1, h, c);
    best_h = std::max(best_h, h);
    best_c = std::max(best_c, c);
  }
  if (pool_side == 0)
    std::printf("worker_pool_vs_caf_actor_pool=%.3f\n", best_h / best_c);

  // -- broadcast vs CAF local group -----------------------------------------

  std::atomic<int64_t> counter{0};
  auto total = static_cast<int64_t>(subscribers) * messages;
  auto counting = [&counter](caf::event_based_actor*) -> caf::behavior {
    return {[&counter](int) { counter.fetch_add(1); }};
  };
  horae::broadcast_options bopts;
  // A bound large enough that nothing is dropped: this measures delivery,
  // not the policy. The in-flight window is the default (1): the
  // acknowledgement of one delivery sends the next from the subscriber's
  // own context, so a larger window buys nothing here.
  bopts.bound = static_cast<size_t>(messages);
  bopts.max_in_flight = static_cast<size_t>(in_flight);
  auto bc = *horae::spawn_broadcast(rt, bopts);
  auto grp = sys.groups().anonymous();
  std::vector<caf::actor> subs;
  for (int i = 0; i < subscribers; ++i) {
    auto s = sys.spawn(counting);
    caf::anon_send(bc, horae::subscribe_atom::value, s);
    subs.push_back(s);
    auto g = sys.spawn_in_group(grp, counting);
    subs.push_back(g);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds{200});

  std::printf("\nbroadcast: %d messages to %d subscribers (%lld deliveries),"
              " horae in-flight window %d\n",
              messages, subscribers, static_cast<long long>(total), in_flight);
  best_h = best_c = 0;
  for (int r = 0; r < rounds; ++r) {
    auto h = drive_broadcast(
      counter, total, [&](int i) { caf::anon_send(bc, i); }, messages);
    auto c = drive_broadcast(
      counter, total, [&](int i) { caf::anon_send(grp, i); }, messages);
    std::printf("  round %d: horae broadcast %12.0f deliveries/s   caf group "
                "%12.0f deliveries/s\n",
                r + 1, h, c);
    best_h = std::max(best_h, h);
    best_c = std::max(best_c, c);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds{100});
  auto st = std::make_shared<std::promise<horae::broadcast_stats>>();
  auto fut = st->get_future();
  sys.spawn([bc, st](caf::event_based_actor* self) {
    self->request(bc, caf::infinite, horae::stats_atom::value)
      .then([st](horae::broadcast_stats& s) { st->set_value(s); });
  });
  auto s = fut.get();
  std::printf(
    "horae broadcast counters: published %llu, delivered %llu, "
    "dropped %llu\n",
    static_cast<unsigned long long>(s.published),
    static_cast<unsigned long long>(s.delivered),
    static_cast<unsigned long long>(s.dropped_newest + s.dropped_oldest));
  std::printf("broadcast_vs_caf_group=%.3f\n", best_h / best_c);

  for (auto& a : subs)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(caf_pool, caf::exit_reason::user_shutdown);
  rt.shutdown();
  return 0;
}
