// The cluster example: one node of a horae cluster. Several of these
// processes share one PostgreSQL database; each fires the reminders of the
// partitions it holds, and when one dies the others take its partitions
// over. Every line it prints is written at once, so a killed node leaves a
// complete log:
//
//   fire actor=meter/7 count=12 scheduled=<ns> actual=<ns> node=n2
//   activate actor=meter/7 node=n2 t=<ns>      deactivate ... (same fields)
//   held node=n2 partitions=85 t=<ns>
//
// `--seed=N` instead registers N periodic reminders (meter/0 ... meter/N-1,
// missed ticks caught up) and exits.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include <horae/cluster/cluster_module.hpp>
#include <horae/core/config/config_loader.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/reminder_ownership.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/journaling/postgres_store.hpp>

#include <unistd.h>

using namespace std::chrono_literals;

namespace {

std::atomic<bool> stop_requested{false};

void on_signal(int) {
  stop_requested = true;
}

long long nanos(horae::clock::wall_time t) {
  return static_cast<long long>(t.time_since_epoch().count());
}

long long wall_now() {
  return static_cast<long long>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch())
      .count());
}

/// One line with one write(2): lines of concurrent actors never mix, and
/// a SIGKILL loses no line already printed.
void emit(const std::string& line) {
  auto text = line + "\n";
  auto written = ::write(STDOUT_FILENO, text.data(), text.size());
  static_cast<void>(written);
}

horae::actor_factory meter(const std::string& node) {
  return [node](horae::actor* self) -> caf::behavior {
    self->attach<horae::reminder_facet>();
    auto name = self->display_name();
    emit("activate actor=" + name + " node=" + node
         + " t=" + std::to_string(wall_now()));
    self->attach_functor([name, node] {
      emit("deactivate actor=" + name + " node=" + node
           + " t=" + std::to_string(wall_now()));
    });
    return {
      [self, node](const horae::reminder_fired& x) {
        emit("fire actor=" + self->display_name()
             + " count=" + std::to_string(x.count)
             + " scheduled=" + std::to_string(nanos(x.scheduled))
             + " actual=" + std::to_string(wall_now()) + " node=" + node);
      },
    };
  };
}

/// Registers `n` reminders straight into the store and returns.
int seed(const std::string& db, int64_t n, horae::clock::duration period,
         int64_t partitions) {
  horae::postgres_store_options opts;
  opts.conninfo = db;
  opts.partitions = static_cast<uint32_t>(partitions);
  auto store = horae::open_postgres_store(opts);
  if (!store) {
    std::cerr << horae::describe(store.error()) << '\n';
    return 1;
  }
  auto first = std::chrono::system_clock::now() + 2s;
  for (int64_t i = 0; i < n; ++i) {
    horae::reminder_record rec;
    rec.key = {"meter", std::to_string(i), "read"};
    rec.anchor = horae::clock::wall_time{
      std::chrono::duration_cast<horae::clock::duration>(
        first.time_since_epoch())};
    rec.due = rec.anchor;
    rec.period = period;
    rec.policy = horae::missed_tick_policy::catch_up;
    if (auto res = (*store)->upsert(rec, true); !res) {
      std::cerr << horae::describe(res.error()) << '\n';
      return 1;
    }
  }
  emit("seeded " + std::to_string(n) + " reminders");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  horae::config_loader loader{"cluster"};
  loader.add_module(horae::timers_module());
  loader.add_module(horae::cluster_module());
  loader.add_module(horae::reminders_module());
  using horae::option_spec;
  loader.add_option(option_spec::duration("duration", 0s, 0s, 24h * 365,
                                          "how long to run (0: until "
                                          "SIGINT or SIGTERM)"));
  loader.add_option(option_spec::integer(
    "seed", 0, 0, 1'000'000,
    "register this many reminders (meter/0 ...) and exit"));
  loader.add_option(option_spec::duration("period", 1s, 100ms, 24h,
                                          "period of the seeded reminders"));
  if (loader.answer_info_request(argc, argv, std::cout))
    return 0;
  auto cfg = loader.load(argc, argv, "");
  if (!cfg) {
    std::cerr << horae::describe(cfg.error()) << '\n';
    return 2;
  }
  if (auto n = cfg->get_int("seed"); n > 0)
    return seed(cfg->get_string("horae.cluster.db"), n,
                cfg->get_duration("period"),
                cfg->get_int("horae.cluster.partitions"));
  auto node = cfg->get_string("horae.cluster.node-id");
  auto duration = cfg->get_duration("duration");
  auto made = horae::runtime::make(std::move(*cfg), [node](horae::runtime& rt) {
    return rt.define("meter", meter(node));
  });
  if (!made) {
    std::cerr << horae::describe(made.error()) << '\n';
    return 1;
  }
  auto& rt = **made;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto* own = rt.find_service<horae::reminder_ownership>();
  auto until = std::chrono::steady_clock::now() + duration;
  size_t shown = SIZE_MAX;
  while (!stop_requested
         && (duration == 0s || std::chrono::steady_clock::now() < until)) {
    auto held = own->held().size();
    if (held != shown) {
      emit("held node=" + node + " partitions=" + std::to_string(held)
           + " t=" + std::to_string(wall_now()));
      shown = held;
    }
    std::this_thread::sleep_for(50ms);
  }
  emit("leaving node=" + node);
  return 0; // the runtime hands its partitions over as it shuts down
}
