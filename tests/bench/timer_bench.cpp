// timer_bench: horae timers against CAF 0.17 delayed_send, side by side in
// one run, on the paths users call and with the default configuration.
//
// - start: `--timers` one-shot timers that actors start for themselves,
//   through
//   the TimerFacet (`timers(self).start_once(name, delay)`, as behaviours
//   do; actors keep the default `max-timers`, so the timers are spread over
//   as many actors as that needs), through the raw `timer_service::schedule`
//   and through CAF's `delayed_send`. Each round runs all three; the ratios
//   are medians over `--rounds`.
// - the memory floor: how long mapping and populating the service's entry
//   memory alone takes (`service_entry_memory_ns`), the bound on any start
//   of the raw service.
// - memory: resident bytes per pending timer, from the first round. Every
//   start measurement runs in a process of its own, on a fresh heap.
// - lateness: `--rate` fires per second for `--seconds`, through the facet
//   (time from the due time to the behaviour's handler) and through CAF
//   (due time to handler), at the timer service's default resolution unless
//   `--resolution-us` says otherwise.
//
// Usage: timer_bench [--timers=N] [--rounds=N] [--rate=N] [--seconds=S]
//                    [--resolution-us=R] [--lateness-log=FILE]
//                    [--only=facet|service|caf] [--skip-lateness]
//                    [--precise-wakeups]
// Last lines: key=value results (see docs/performance.md).
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/facets/timer_service.hpp>
#include <horae/facets/timers_module.hpp>

#include "support/measure.hpp"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using horae::bench::now_ns;
using horae::bench::rss_bytes;

using sched_atom = caf::atom_constant<caf::atom("sched")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

struct options {
  size_t timers = 1'000'000;
  int rounds = 3;
  size_t rate = 100'000;
  int seconds = 3;
  int64_t resolution_us = 0; // 0: the service's default
  std::string lateness_log;
  /// Runs only this path's start phase (for profiling): facet, service or
  /// caf; empty: everything.
  std::string only;
  /// Skips the lateness phase (for sweeps over --timers).
  bool skip_lateness = false;
  /// Sets horae.scheduler.precise-wakeups (non-default).
  bool precise_wakeups = false;
};

[[noreturn]] void usage(int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: timer_bench [--timers=N] [--rounds=N] [--rate=N] "
               "[--seconds=S] [--resolution-us=R] [--lateness-log=FILE] "
               "[--only=facet|service|caf] [--skip-lateness] "
               "[--precise-wakeups]\n");
  std::exit(code);
}

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* key) -> const char* {
      auto len = std::strlen(key);
      return arg.compare(0, len, key) == 0 ? arg.c_str() + len : nullptr;
    };
    if (arg == "--help")
      usage(0);
    if (auto v = value("--timers="))
      opts.timers = std::strtoull(v, nullptr, 10);
    else if (auto v = value("--rounds="))
      opts.rounds = std::atoi(v);
    else if (auto v = value("--rate="))
      opts.rate = std::strtoull(v, nullptr, 10);
    else if (auto v = value("--seconds="))
      opts.seconds = std::atoi(v);
    else if (auto v = value("--resolution-us="))
      opts.resolution_us = std::strtoll(v, nullptr, 10);
    else if (auto v = value("--lateness-log="))
      opts.lateness_log = v;
    else if (auto v = value("--only="))
      opts.only = v;
    else if (arg == "--skip-lateness")
      opts.skip_lateness = true;
    else if (arg == "--precise-wakeups")
      opts.precise_wakeups = true;
    else
      usage(2);
  }
  if (opts.timers == 0 || opts.rounds < 1 || opts.rate == 0 || opts.seconds < 1
      || opts.resolution_us < 0
      || (!opts.only.empty() && opts.only != "facet" && opts.only != "service"
          && opts.only != "caf"))
    usage(2);
  return opts;
}

/// One scheduling actor's share: names and absolute deadlines computed
/// before the timed loop, so that it measures only the timer calls.
struct share {
  std::vector<std::string> names;
  std::vector<int64_t> deadlines; // ns on the steady clock
};

/// Splits `total` timers into shares of at most `per_share`, with deadlines
/// uniformly in [base + lo, base + hi).
std::vector<share> make_shares(size_t total, size_t per_share, int64_t base,
                               int64_t lo, int64_t hi) {
  std::vector<share> shares((total + per_share - 1) / per_share);
  std::mt19937_64 rng{42};
  for (size_t a = 0; a < shares.size(); ++a) {
    auto n = std::min(per_share, total - a * per_share);
    auto& s = shares[a];
    s.names.reserve(n);
    s.deadlines.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      s.names.push_back("t" + std::to_string(i));
      s.deadlines.push_back(
        base + lo
        + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo)));
    }
  }
  return shares;
}

horae::clock::time_point at(int64_t ns) {
  return horae::clock::time_point{horae::clock::duration{ns}};
}

/// Earliest begin and latest end of one batch over all actors.
struct span {
  int64_t begin = INT64_MAX;
  int64_t end = 0;

  double ns_per(size_t n) const {
    return static_cast<double>(end - begin) / static_cast<double>(n);
  }
};

/// Sends `sched` to every worker and collects their (begin, end) replies.
span run_batch(caf::scoped_actor& self,
               const std::vector<caf::actor>& workers) {
  for (auto& w : workers)
    self->send(w, sched_atom::value);
  span result;
  for (size_t i = 0; i < workers.size(); ++i)
    self->receive([&](int64_t b, int64_t e) {
      result.begin = std::min(result.begin, b);
      result.end = std::max(result.end, e);
    });
  return result;
}

void stop_all(caf::scoped_actor& self, const std::vector<caf::actor>& xs) {
  for (auto& x : xs)
    self->send_exit(x, caf::exit_reason::user_shutdown);
}

/// Start cost and memory of one path.
struct start_result {
  double ns_per_timer = 0;
  double bytes_per_timer = 0;
};

/// Lets every worker start its share, measures time and resident memory,
/// and stops the workers.
start_result measure_starts(caf::scoped_actor& self,
                            const std::vector<caf::actor>& workers,
                            size_t timers) {
  auto rss0 = rss_bytes();
  auto batch = run_batch(self, workers);
  auto rss1 = rss_bytes();
  stop_all(self, workers);
  start_result r;
  r.ns_per_timer = batch.ns_per(timers);
  r.bytes_per_timer
    = static_cast<double>(rss1 - rss0) / static_cast<double>(timers);
  return r;
}

/// A runtime with the timers module, configured as users configure it:
/// defaults, plus `--resolution-us` when given.
std::unique_ptr<horae::runtime> make_runtime(const options& opts) {
  horae::config_loader loader{"timer_bench"};
  loader.add_module(horae::timers_module());
  std::vector<std::string> args;
  if (opts.resolution_us > 0)
    args.push_back(
      "--horae.timers.resolution=" + std::to_string(opts.resolution_us) + "us");
  if (opts.precise_wakeups)
    args.push_back("--horae.scheduler.precise-wakeups=true");
  auto cfg = loader.load_text("", args, "timer_bench");
  auto rt = cfg ? horae::runtime::make(std::move(*cfg))
                : caf::expected<std::unique_ptr<horae::runtime>>{cfg.error()};
  if (!rt) {
    std::fprintf(stderr, "%s\n", horae::describe(rt.error()).c_str());
    std::exit(1);
  }
  return std::move(*rt);
}

// -- TimerFacet ---------------------------------------------------------------

start_result facet_starts(const options& opts) {
  auto rt = make_runtime(opts);
  auto& sys = rt->system();
  caf::scoped_actor self{sys};
  // Far deadlines (1 min .. 1 h): nothing fires while we measure.
  auto shares = make_shares(opts.timers, horae::timer_facet::default_max_timers,
                            0, 60'000'000'000LL, 3'600'000'000'000LL);
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    workers.push_back(rt->spawn([sp](horae::actor* me) -> caf::behavior {
      me->attach<horae::timer_facet>();
      return {[me, sp](sched_atom) {
        auto& timers = horae::timers(me);
        auto begin = now_ns();
        auto n = sp->names.size();
        for (size_t i = 0; i < n; ++i)
          static_cast<void>(timers.start_once(
            sp->names[i], horae::clock::duration{sp->deadlines[i]}));
        return caf::make_message(begin, now_ns());
      }};
    }));
  }
  return measure_starts(self, workers, opts.timers);
}

// -- timer_service ------------------------------------------------------------

start_result service_starts(const options& opts) {
  auto rt = make_runtime(opts);
  auto& sys = rt->system();
  caf::scoped_actor self{sys};
  auto* svc = rt->find_service<horae::timer_service>();
  // As many scheduling actors as the facet run uses, with the same shares;
  // each schedules for itself, as a facet does.
  auto shares = make_shares(opts.timers, horae::timer_facet::default_max_timers,
                            now_ns(), 60'000'000'000LL, 3'600'000'000'000LL);
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    workers.push_back(
      sys.spawn([sp, svc](caf::event_based_actor* me) -> caf::behavior {
        return {
          [me, sp, svc](sched_atom) {
            auto target = caf::actor_cast<caf::strong_actor_ptr>(me);
            auto begin = now_ns();
            auto n = sp->deadlines.size();
            for (size_t i = 0; i < n; ++i)
              static_cast<void>(svc->schedule(at(sp->deadlines[i]), target, i));
            return caf::make_message(begin, now_ns());
          },
          [](const horae::timer_due&) {},
        };
      }));
  }
  return measure_starts(self, workers, opts.timers);
}

// -- the memory floor ---------------------------------------------------------

/// What the service's entry memory alone costs: mapping and populating 64
/// bytes per timer, in slabs of 2 MiB, from two threads at once (as the
/// scheduling actors do), measured like a start round. No timer start can
/// be cheaper than obtaining its memory from the kernel for the first time;
/// this bounds `service_start_vs_caf_delayed_send` from above.
start_result entry_memory_floor(const options& opts) {
  constexpr size_t slab = size_t{2} << 20;
  auto bytes = opts.timers * 64;
  auto per_thread = (bytes / 2 + slab - 1) / slab;
  std::vector<void*> maps(2 * per_thread, MAP_FAILED);
  auto begin = now_ns();
  auto fill = [&](size_t first) {
    for (size_t i = first; i < first + per_thread; ++i)
      maps[i] = ::mmap(nullptr, slab, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  };
  std::thread other{fill, per_thread};
  fill(0);
  other.join();
  start_result r;
  r.ns_per_timer
    = static_cast<double>(now_ns() - begin) / static_cast<double>(opts.timers);
  for (auto m : maps)
    if (m != MAP_FAILED)
      ::munmap(m, slab);
  return r;
}

// -- CAF delayed_send ---------------------------------------------------------

start_result caf_starts(const options& opts) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto shares = make_shares(opts.timers, horae::timer_facet::default_max_timers,
                            0, 60'000'000'000LL, 3'600'000'000'000LL);
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    workers.push_back(
      sys.spawn([sp](caf::event_based_actor* me) -> caf::behavior {
        return {
          [me, sp](sched_atom) {
            auto begin = now_ns();
            for (auto d : sp->deadlines)
              me->delayed_send(me, std::chrono::nanoseconds(d),
                               tick_atom::value, d);
            return caf::make_message(begin, now_ns());
          },
          [](tick_atom, int64_t) {},
        };
      }));
  }
  return measure_starts(self, workers, opts.timers);
}

void print_lateness(const char* who, std::vector<int64_t>& xs) {
  using horae::bench::quantile;
  std::printf("%-6s lateness over %zu fires: p50 %.1f us, p99 %.1f us, "
              "max %.1f us\n",
              who, xs.size(), quantile(xs, 0.5) / 1e3, quantile(xs, 0.99) / 1e3,
              quantile(xs, 1.0) / 1e3);
}

// -- isolation ----------------------------------------------------------------

/// Runs one start measurement in a child process, so that no run inherits
/// the heap another left behind (CAF's million freed timer messages slow
/// the allocations of whatever runs next) and memory is measured from the
/// same state every time. Called before the parent starts any thread.
start_result isolated(start_result (*fn)(const options&), const options& opts) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  // Otherwise the child inherits what stdout holds and prints it again.
  std::fflush(stdout);
  auto pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    ::close(fds[0]);
    auto r = fn(opts);
    auto n = ::write(fds[1], &r, sizeof(r));
    std::fflush(stdout);
    ::_exit(n == static_cast<ssize_t>(sizeof(r)) ? 0 : 1);
  }
  ::close(fds[1]);
  start_result r;
  auto n = ::read(fds[0], &r, sizeof(r));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof(r)) || !WIFEXITED(status)
      || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "a measurement process failed\n");
    std::exit(1);
  }
  return r;
}

// -- lateness -----------------------------------------------------------------

/// Lateness samples of one receiving actor, and the run's completion.
struct lateness_sink {
  std::vector<int64_t> samples;
  /// Fired minus due as the timer service stamped it (horae only): the
  /// service's share of the lateness, without the mailbox and scheduler.
  std::vector<int64_t> service;
};

struct lateness_run {
  std::vector<lateness_sink> sinks;
  std::atomic<size_t> remaining{0};
  caf::actor notify;

  /// A run with one sink per share that tells `self` when every fire of
  /// every share arrived.
  static std::shared_ptr<lateness_run> make(const std::vector<share>& shares,
                                            caf::scoped_actor& self) {
    auto run = std::make_shared<lateness_run>();
    run->sinks.resize(shares.size());
    run->notify = caf::actor_cast<caf::actor>(self);
    for (size_t a = 0; a < shares.size(); ++a) {
      run->sinks[a].samples.reserve(shares[a].names.size());
      run->sinks[a].service.reserve(shares[a].names.size());
      run->remaining += shares[a].names.size();
    }
    return run;
  }

  void count() {
    if (remaining.fetch_sub(1) == 1)
      caf::anon_send(notify, done_atom::value);
  }

  std::vector<int64_t> all(std::vector<int64_t> lateness_sink::*which
                           = &lateness_sink::samples) const {
    std::vector<int64_t> result;
    for (auto& s : sinks)
      result.insert(result.end(), (s.*which).begin(), (s.*which).end());
    return result;
  }
};

/// Deadlines 1 s from now on (so scheduling is over before the first
/// fire), spread uniformly over `seconds`.
std::vector<share> lateness_shares(const options& opts) {
  auto total = opts.rate * static_cast<size_t>(opts.seconds);
  return make_shares(total, horae::timer_facet::default_max_timers / 2,
                     now_ns(), 1'000'000'000LL,
                     1'000'000'000LL + opts.seconds * 1'000'000'000LL);
}

void await_done(caf::scoped_actor& self, const options& opts, const char* who) {
  self->receive(
    [](done_atom) {},
    caf::after(std::chrono::seconds(opts.seconds + 60)) >>
      [&] { std::fprintf(stderr, "%s: timed out waiting for fires\n", who); });
}

std::vector<int64_t> facet_lateness(const options& opts) {
  auto rt = make_runtime(opts);
  caf::scoped_actor self{rt->system()};
  auto shares = lateness_shares(opts);
  auto run = lateness_run::make(shares, self);
  std::vector<caf::actor> workers;
  for (size_t a = 0; a < shares.size(); ++a) {
    auto sp = &shares[a];
    auto out = &run->sinks[a];
    workers.push_back(
      rt->spawn([sp, out, run](horae::actor* me) -> caf::behavior {
        me->attach<horae::timer_facet>();
        return {
          [me, sp](sched_atom) {
            auto& timers = horae::timers(me);
            auto begin = now_ns();
            for (size_t i = 0; i < sp->names.size(); ++i)
              static_cast<void>(timers.start_once(
                sp->names[i],
                horae::clock::duration{sp->deadlines[i] - now_ns()}));
            return caf::make_message(begin, now_ns());
          },
          [out, run](const horae::timer_fired& x) {
            out->samples.push_back(now_ns()
                                   - x.scheduled.time_since_epoch().count());
            out->service.push_back((x.actual - x.scheduled).count());
            run->count();
          },
        };
      }));
  }
  run_batch(self, workers);
  await_done(self, opts, "horae");
  stop_all(self, workers);
  auto service = run->all(&lateness_sink::service);
  print_lateness("svc", service);
  return run->all();
}

std::vector<int64_t> caf_lateness(const options& opts) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto shares = lateness_shares(opts);
  auto run = lateness_run::make(shares, self);
  std::vector<caf::actor> workers;
  for (size_t a = 0; a < shares.size(); ++a) {
    auto sp = &shares[a];
    auto out = &run->sinks[a];
    workers.push_back(
      sys.spawn([sp, out, run](caf::event_based_actor* me) -> caf::behavior {
        return {
          [me, sp](sched_atom) {
            auto begin = now_ns();
            for (auto t : sp->deadlines)
              me->delayed_send(me, std::chrono::nanoseconds(t - now_ns()),
                               tick_atom::value, t);
            return caf::make_message(begin, now_ns());
          },
          [out, run](tick_atom, int64_t due) {
            out->samples.push_back(now_ns() - due);
            run->count();
          },
        };
      }));
  }
  run_batch(self, workers);
  await_done(self, opts, "caf");
  stop_all(self, workers);
  return run->all();
}

void write_lateness_log(const std::string& path, std::vector<int64_t>& horae,
                        std::vector<int64_t>& caf) {
  // Percentile table for plotting: q, horae us, caf us.
  auto f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return;
  }
  std::fprintf(f, "# quantile horae_us caf_us\n");
  for (int i = 0; i <= 1000; ++i) {
    auto q = i / 1000.0;
    std::fprintf(f, "%.3f %.1f %.1f\n", q,
                 horae::bench::quantile(horae, q) / 1e3,
                 horae::bench::quantile(caf, q) / 1e3);
  }
  std::fclose(f);
}

} // namespace

int main(int argc, char** argv) {
  auto opts = parse(argc, argv);
  horae::bench::print_machine();
  std::printf(
    "start: %zu one-shot timers from actors of %zu timers each "
    "(default max-timers), %d rounds; lateness: %zu fires/s for "
    "%d s; timer resolution: %s; precise wake-ups: %s\n",
    opts.timers, horae::timer_facet::default_max_timers, opts.rounds, opts.rate,
    opts.seconds,
    opts.resolution_us > 0
      ? (std::to_string(opts.resolution_us) + " us (non-default)").c_str()
      : "default",
    opts.precise_wakeups ? "on (non-default)" : "off (default)");
  std::vector<double> facet_ratio;
  std::vector<double> service_ratio;
  std::vector<double> facet_ns;
  std::vector<double> service_ns;
  std::vector<double> caf_ns;
  std::vector<double> floor_ns;
  start_result facet_mem;
  start_result service_mem;
  if (!opts.only.empty()) {
    for (int round = 1; round <= opts.rounds; ++round) {
      auto r = isolated(opts.only == "facet"     ? facet_starts
                        : opts.only == "service" ? service_starts
                                                 : caf_starts,
                        opts);
      std::printf("round %d: %s start %.1f ns/timer, %.1f bytes/timer\n", round,
                  opts.only.c_str(), r.ns_per_timer, r.bytes_per_timer);
    }
    return 0;
  }
  for (int round = 1; round <= opts.rounds; ++round) {
    auto f = isolated(facet_starts, opts);
    auto s = isolated(service_starts, opts);
    auto c = isolated(caf_starts, opts);
    auto m = isolated(entry_memory_floor, opts);
    if (round == 1) {
      facet_mem = f;
      service_mem = s;
    }
    std::printf("round %d: start ns/timer: facet %.1f  service %.1f  "
                "caf delayed_send %.1f  (entry memory alone %.1f)\n",
                round, f.ns_per_timer, s.ns_per_timer, c.ns_per_timer,
                m.ns_per_timer);
    std::fflush(stdout);
    facet_ratio.push_back(c.ns_per_timer / f.ns_per_timer);
    service_ratio.push_back(c.ns_per_timer / s.ns_per_timer);
    facet_ns.push_back(f.ns_per_timer);
    service_ns.push_back(s.ns_per_timer);
    caf_ns.push_back(c.ns_per_timer);
    floor_ns.push_back(m.ns_per_timer);
  }
  using horae::bench::median;
  using horae::bench::print_key;
  using horae::bench::quantile;
  print_key("facet_start_ns", median(facet_ns));
  print_key("service_start_ns", median(service_ns));
  print_key("caf_start_ns", median(caf_ns));
  print_key("service_entry_memory_ns", median(floor_ns));
  print_key("facet_start_vs_caf_delayed_send", median(facet_ratio));
  print_key("service_start_vs_caf_delayed_send", median(service_ratio));
  print_key("facet_bytes_per_timer", facet_mem.bytes_per_timer);
  print_key("service_bytes_per_timer", service_mem.bytes_per_timer);
  if (opts.skip_lateness)
    return 0;
  std::fflush(stdout);
  auto hl = facet_lateness(opts);
  print_lateness("horae", hl);
  std::fflush(stdout);
  auto cl = caf_lateness(opts);
  print_lateness("caf", cl);
  if (!opts.lateness_log.empty())
    write_lateness_log(opts.lateness_log, hl, cl);
  print_key("lateness_p50_us", quantile(hl, 0.5) / 1e3);
  print_key("caf_lateness_p50_us", quantile(cl, 0.5) / 1e3);
  print_key("lateness_p99_us", quantile(hl, 0.99) / 1e3);
  print_key("caf_lateness_p99_us", quantile(cl, 0.99) / 1e3);
  return 0;
}
