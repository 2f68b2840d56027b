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
// missed ticks caught up; with `--once`, one-shots) and exits.
// `--standalone` runs one runtime without the cluster module, on the
// reminders module's own store (SQLite by default), for comparisons.
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
#include <horae/journaling/sqlite_store.hpp>

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

/// Opens the store the nodes use, for seeding: the cluster's PostgreSQL
/// database, or in standalone mode the reminders module's SQLite file.
caf::expected<std::unique_ptr<horae::reminder_store>>
open_seed_store(const horae::config& cfg, bool standalone) {
  if (standalone) {
    horae::sqlite_store_options opts;
    opts.path = cfg.get_string("horae.reminders.db");
    return horae::open_sqlite_store(opts);
  }
  horae::postgres_store_options opts;
  opts.conninfo = cfg.get_string("horae.cluster.db");
  opts.partitions
    = static_cast<uint32_t>(cfg.get_int("horae.cluster.partitions"));
  return horae::open_postgres_store(opts);
}

/// Registers `n` reminders, due two seconds from now, and returns.
int seed(horae::reminder_store& store, int64_t n, horae::clock::duration period,
         bool once) {
  auto first = std::chrono::system_clock::now() + 2s;
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> done{0};
  for (int64_t i = 0; i < n; ++i) {
    horae::reminder_record rec;
    rec.key = {"meter", std::to_string(i), "read"};
    rec.anchor = horae::clock::wall_time{
      std::chrono::duration_cast<horae::clock::duration>(
        first.time_since_epoch())};
    rec.due = rec.anchor;
    rec.period = once ? horae::clock::duration{0} : period;
    rec.max_fires = once ? 1 : 0;
    rec.policy = horae::missed_tick_policy::catch_up;
    // Group commit: the writes of a seed share transactions.
    store.upsert_async(rec, true,
                       [&](caf::expected<horae::reminder_record> res) {
                         if (!res && failed++ == 0)
                           std::cerr << horae::describe(res.error()) << '\n';
                         ++done;
                       });
  }
  while (done.load() < n)
    std::this_thread::sleep_for(10ms);
  if (failed > 0)
    return 1;
  emit("seeded " + std::to_string(n) + " reminders");
  return 0;
}

bool wants(int argc, char** argv, const std::string& flag) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == flag)
      return true;
  return false;
}

} // namespace

int main(int argc, char** argv) {
  horae::config_loader loader{"cluster"};
  auto standalone = wants(argc, argv, "--standalone");
  loader.add_module(horae::timers_module());
  if (!standalone)
    loader.add_module(horae::cluster_module());
  loader.add_module(horae::reminders_module());
  using horae::option_spec;
  loader.add_option(option_spec::boolean("standalone", false,
                                         "one runtime without the cluster "
                                         "module, on the reminders module's "
                                         "store"));
  loader.add_option(option_spec::boolean(
    "once", false, "with --seed: one-shot reminders instead of periodic ones"));
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
  if (auto n = cfg->get_int("seed"); n > 0) {
    auto store = open_seed_store(*cfg, standalone);
    if (!store) {
      std::cerr << horae::describe(store.error()) << '\n';
      return 1;
    }
    return seed(**store, n, cfg->get_duration("period"), cfg->get_bool("once"));
  }
  auto node = standalone ? std::string{"standalone"}
                         : cfg->get_string("horae.cluster.node-id");
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
  auto held_now = [own] { return own ? own->held().size() : size_t{0}; };
  auto until = std::chrono::steady_clock::now() + duration;
  size_t shown = SIZE_MAX;
  while (!stop_requested
         && (duration == 0s || std::chrono::steady_clock::now() < until)) {
    auto held = held_now();
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
