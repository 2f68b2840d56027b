// pattern_flow: a pipeline of two stages, a fan-out/fan-in over four
// workers, and a broadcast to subscribers of different speeds.
#include <atomic>
#include <cstdio>
#include <future>
#include <thread>

#include <caf/all.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/patterns/broadcast.hpp>
#include <horae/patterns/fan_out.hpp>
#include <horae/patterns/pipeline.hpp>

using namespace std::chrono_literals;

int main() {
  horae::config cfg;
  cfg.add_module(horae::timers_module());
  auto rt = horae::runtime::make(std::move(cfg));
  if (!rt) {
    std::fprintf(stderr, "%s\n", horae::describe(rt.error()).c_str());
    return 1;
  }
  auto& sys = (*rt)->system();

  // -- pipeline: parse, then double ------------------------------------------
  horae::pipeline_options p_opts;
  p_opts.stages = {
    [](horae::actor*) -> caf::behavior {
      return {[](const std::string& s) { return std::stoi(s); }};
    },
    [](horae::actor*) -> caf::behavior {
      return {[](int x) { return 2 * x; }};
    },
  };
  auto pipe = *horae::spawn_pipeline(**rt, p_opts);

  // -- fan-out: square each item on one of four workers ----------------------
  horae::fan_out_options f_opts;
  f_opts.workers = 4;
  f_opts.worker = [](horae::actor*) -> caf::behavior {
    return {[](int x) { return x * x; }};
  };
  auto fan = *horae::spawn_fan_out(**rt, f_opts);

  std::promise<void> done;
  sys.spawn([&](caf::event_based_actor* self) {
    self->request(pipe, 1s, std::string{"21"}).then([=, &done](int x) {
      std::printf("pipeline \"21\" -> %d\n", x);
      horae::fan_out_batch batch;
      for (int i = 1; i <= 8; ++i)
        batch.items.push_back(caf::make_message(i));
      self->request(fan, 1s, batch).then([&done](horae::fan_in_result& r) {
        std::printf("fan-in:");
        for (auto& m : r.results)
          std::printf(" %d", m.get_as<int>(0));
        std::printf("\n");
        done.set_value();
      });
    });
  });
  done.get_future().wait();

  // -- broadcast: one fast and one slow subscriber, drop_oldest, bound 4 -----
  horae::broadcast_options b_opts;
  b_opts.bound = 4;
  b_opts.policy = horae::slow_subscriber_policy::drop_oldest;
  auto bc = *horae::spawn_broadcast(**rt, b_opts);
  std::atomic<int> fast_seen{0}, slow_seen{0};
  auto fast = sys.spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int) { ++fast_seen; }};
  });
  auto slow = sys.spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int) {
      ++slow_seen;
      std::this_thread::sleep_for(5ms); // a subscriber that falls behind
    }};
  });
  caf::anon_send(bc, horae::subscribe_atom::value, fast);
  caf::anon_send(bc, horae::subscribe_atom::value, slow);
  std::this_thread::sleep_for(50ms);
  for (int i = 0; i < 100; ++i) {
    caf::anon_send(bc, i);
    std::this_thread::sleep_for(100us);
  }
  std::this_thread::sleep_for(300ms);
  std::promise<horae::broadcast_stats> stats;
  std::promise<horae::subscriber_stats> slow_stats;
  std::promise<horae::subscriber_stats> fast_stats;
  sys.spawn([&](caf::event_based_actor* self) {
    self->request(bc, 1s, horae::stats_atom::value)
      .then([&](horae::broadcast_stats& s) { stats.set_value(s); });
    self->request(bc, 1s, horae::stats_atom::value, slow)
      .then([&](horae::subscriber_stats& s) { slow_stats.set_value(s); });
    self->request(bc, 1s, horae::stats_atom::value, fast)
      .then([&](horae::subscriber_stats& s) { fast_stats.set_value(s); });
  });
  auto s = stats.get_future().get();
  auto for_slow = slow_stats.get_future().get();
  auto for_fast = fast_stats.get_future().get();
  // Drops are counted per subscriber: the slow one's are the point here.
  std::printf("broadcast: published %llu, fast saw %d, slow saw %d, "
              "dropped (oldest) for the slow subscriber %llu, for the fast "
              "one %llu\n",
              static_cast<unsigned long long>(s.published), fast_seen.load(),
              slow_seen.load(),
              static_cast<unsigned long long>(for_slow.dropped),
              static_cast<unsigned long long>(for_fast.dropped));
  std::printf("flow done\n");
  caf::anon_send_exit(fast, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(slow, caf::exit_reason::user_shutdown);
  (*rt)->shutdown();
  return 0;
}
