// timer_bench: horae::timer_service against CAF 0.17 delayed_send, side by
// side in one run: start/cancel cost from inside actors, memory per pending
// timer, and fire lateness under ~100k fires per second.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include <horae/core/clock.hpp>
#include <horae/facets/timer_service.hpp>

#include <unistd.h>

namespace {

using sched_atom = caf::atom_constant<caf::atom("sched")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

using steady = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           steady::now().time_since_epoch())
    .count();
}

// Resident set size in bytes, from /proc/self/statm.
int64_t rss_bytes() {
  std::ifstream in{"/proc/self/statm"};
  int64_t size = 0;
  int64_t resident = 0;
  in >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

struct options {
  size_t timers = 1'000'000;
  size_t actors = 4;
  int64_t resolution_us = 100;
  size_t rate = 100'000;
  int seconds = 3;
};

options parse(int argc, char** argv) {
  options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* key) -> const char* {
      auto len = std::strlen(key);
      return arg.compare(0, len, key) == 0 ? arg.c_str() + len : nullptr;
    };
    if (auto v = value("--timers="))
      opts.timers = std::strtoull(v, nullptr, 10);
    else if (auto v = value("--actors="))
      opts.actors = std::max<size_t>(1, std::strtoull(v, nullptr, 10));
    else if (auto v = value("--resolution-us="))
      opts.resolution_us = std::max<int64_t>(1, std::strtoll(v, nullptr, 10));
    else if (auto v = value("--rate="))
      opts.rate = std::strtoull(v, nullptr, 10);
    else if (auto v = value("--seconds="))
      opts.seconds = std::atoi(v);
    else {
      std::fprintf(stderr,
                   "usage: timer_bench [--timers=N] [--actors=K] "
                   "[--resolution-us=R] [--rate=FIRES_PER_S] [--seconds=S]\n");
      std::exit(arg == "--help" ? 0 : 2);
    }
  }
  return opts;
}

// One scheduling actor's share of the work: precomputed absolute deadlines
// (so the timed loop measures only the timer call) and room for handles.
struct share {
  std::vector<int64_t> deadlines;
  std::vector<horae::timer_handle> handles;
};

// Deadlines in [lo, hi) ns from now, uniformly random.
std::vector<share> make_shares(const options& opts, size_t total, int64_t lo,
                               int64_t hi, int64_t base) {
  std::vector<share> shares(opts.actors);
  std::mt19937_64 rng{42};
  for (size_t a = 0; a < opts.actors; ++a) {
    auto n = total / opts.actors + (a < total % opts.actors ? 1 : 0);
    auto& s = shares[a];
    s.deadlines.resize(n);
    for (auto& d : s.deadlines)
      d = base + lo + static_cast<int64_t>(rng() % uint64_t(hi - lo));
    s.handles.resize(n); // touch the pages now, not during measurement
  }
  return shares;
}

// Timed span of one batch: earliest begin and latest end over all actors.
struct span {
  int64_t begin = INT64_MAX;
  int64_t end = 0;

  void add(int64_t b, int64_t e) {
    begin = std::min(begin, b);
    end = std::max(end, e);
  }

  double ns_per(size_t n) const {
    return double(end - begin) / double(n);
  }
};

// Sends `msg` to every worker and collects (begin, end) replies.
template <class... Ts>
span run_batch(caf::scoped_actor& self, const std::vector<caf::actor>& workers,
               Ts... xs) {
  for (auto& w : workers)
    self->send(w, xs...);
  span result;
  for (size_t i = 0; i < workers.size(); ++i)
    self->receive([&](int64_t b, int64_t e) { result.add(b, e); });
  return result;
}

// Waits for the receiver's report that every fire of a lateness run arrived.
void await_fires(caf::scoped_actor& self, const options& opts,
                 const char* who) {
  self->receive(
    [](done_atom) {},
    caf::after(std::chrono::seconds(opts.seconds + 30)) >>
      [&] { std::fprintf(stderr, "%s: timed out waiting for fires\n", who); });
}

// Ends one run: stops its workers and the actor that received their output.
void stop_run(caf::scoped_actor& self, const std::vector<caf::actor>& workers,
              const caf::actor& receiver) {
  for (auto& w : workers)
    self->send_exit(w, caf::exit_reason::user_shutdown);
  self->send_exit(receiver, caf::exit_reason::user_shutdown);
}

// A receiver that records fire lateness, then reports when all arrived.
struct lateness_log {
  std::vector<int64_t> samples;
  std::vector<int64_t> service; // fired - scheduled, as stamped by horae
  size_t expected = 0;
  caf::actor notify;
};

void print_percentiles(const char* who, std::vector<int64_t>& xs) {
  if (xs.empty()) {
    std::printf("%-6s lateness: no samples\n", who);
    return;
  }
  std::sort(xs.begin(), xs.end());
  auto at = [&](double q) {
    auto i = static_cast<size_t>(q * double(xs.size() - 1));
    return double(xs[i]) / 1000.0;
  };
  std::printf("%-6s lateness over %zu fires: p50 %.1f us, p99 %.1f us, "
              "max %.1f us\n",
              who, xs.size(), at(0.5), at(0.99), double(xs.back()) / 1000.0);
}

void print_machine() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line;
  std::string model = "unknown";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  std::printf("machine: %u cores, %s\n", std::thread::hardware_concurrency(),
              model.c_str());
}

// -- horae --------------------------------------------------------------------

struct horae_results {
  double start_ns = 0;
  double cancel_ns = 0;
  double bytes_per_timer = 0;
};

horae_results horae_starts(const options& opts) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  horae::system_clock clk;
  horae::timer_service_config tcfg;
  tcfg.resolution = std::chrono::microseconds(opts.resolution_us);
  horae::timer_service svc{clk, tcfg};
  svc.start();
  auto sink = sys.spawn(
    []() -> caf::behavior { return {[](const horae::timer_due&) {}}; });
  auto sink_ptr = caf::actor_cast<caf::strong_actor_ptr>(sink);
  // Far deadlines (1 min .. 1 h): nothing fires while we measure.
  auto shares = make_shares(opts, opts.timers, 60'000'000'000LL,
                            3'600'000'000'000LL, now_ns());
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    auto svcp = &svc;
    workers.push_back(sys.spawn([=]() -> caf::behavior {
      return {
        [=](sched_atom) {
          auto begin = now_ns();
          auto n = sp->deadlines.size();
          for (size_t i = 0; i < n; ++i) {
            auto t = horae::clock::time_point{
              horae::clock::duration{sp->deadlines[i]}};
            sp->handles[i] = *svcp->schedule(t, sink_ptr, i);
          }
          return caf::make_message(begin, now_ns());
        },
        [=](cancel_atom) {
          auto begin = now_ns();
          auto n = sp->handles.size();
          for (size_t i = 0; i < n; i += 2)
            svcp->cancel(sp->handles[i]);
          return caf::make_message(begin, now_ns());
        },
      };
    }));
  }
  auto rss0 = rss_bytes();
  auto starts = run_batch(self, workers, sched_atom::value);
  auto rss1 = rss_bytes();
  auto cancels = run_batch(self, workers, cancel_atom::value);
  horae_results r;
  r.start_ns = starts.ns_per(opts.timers);
  r.cancel_ns = cancels.ns_per((opts.timers + 1) / 2);
  r.bytes_per_timer = double(rss1 - rss0) / double(opts.timers);
  std::printf("horae  start: %7.1f ns/timer (%5.2f M/s)  cancel: %6.1f "
              "ns/timer  memory: %5.1f bytes/pending timer  pending after "
              "cancel: %zu\n",
              r.start_ns, 1e3 / r.start_ns, r.cancel_ns, r.bytes_per_timer,
              svc.pending());
  stop_run(self, workers, sink);
  svc.stop();
  return r;
}

std::vector<int64_t> horae_lateness(const options& opts) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  horae::system_clock clk;
  horae::timer_service_config tcfg;
  tcfg.resolution = std::chrono::microseconds(opts.resolution_us);
  horae::timer_service svc{clk, tcfg};
  svc.start();
  auto total = opts.rate * size_t(opts.seconds);
  auto log = std::make_shared<lateness_log>();
  log->samples.reserve(total);
  log->service.reserve(total);
  log->expected = total;
  log->notify = caf::actor_cast<caf::actor>(self);
  auto receiver = sys.spawn([log]() -> caf::behavior {
    return {[log](const horae::timer_due& x) {
      log->samples.push_back(now_ns() - x.scheduled.time_since_epoch().count());
      log->service.push_back((x.fired - x.scheduled).count());
      if (log->samples.size() == log->expected)
        caf::anon_send(log->notify, done_atom::value);
    }};
  });
  auto receiver_ptr = caf::actor_cast<caf::strong_actor_ptr>(receiver);
  // Spread `total` deadlines over `seconds`, starting 1 s from now so that
  // scheduling is over before the first fire.
  auto shares
    = make_shares(opts, total, 1'000'000'000LL,
                  1'000'000'000LL + opts.seconds * 1'000'000'000LL, now_ns());
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    auto svcp = &svc;
    workers.push_back(sys.spawn([=]() -> caf::behavior {
      return {[=](sched_atom) {
        auto begin = now_ns();
        for (size_t i = 0; i < sp->deadlines.size(); ++i) {
          auto t = horae::clock::time_point{
            horae::clock::duration{sp->deadlines[i]}};
          svcp->schedule(t, receiver_ptr, i);
        }
        return caf::make_message(begin, now_ns());
      }};
    }));
  }
  run_batch(self, workers, sched_atom::value);
  await_fires(self, opts, "horae");
  stop_run(self, workers, receiver);
  svc.stop();
  print_percentiles("svc", log->service);
  return std::move(log->samples);
}

// -- CAF delayed_send ---------------------------------------------------------

double caf_starts(const options& opts) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto sink
    = sys.spawn([]() -> caf::behavior { return {[](tick_atom, int64_t) {}}; });
  auto shares
    = make_shares(opts, opts.timers, 60'000'000'000LL, 3'600'000'000'000LL, 0);
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    workers.push_back(
      sys.spawn([=](caf::event_based_actor* wself) -> caf::behavior {
        return {[=](sched_atom) {
          auto begin = now_ns();
          for (auto d : sp->deadlines)
            wself->delayed_send(sink, std::chrono::nanoseconds(d),
                                tick_atom::value, d);
          return caf::make_message(begin, now_ns());
        }};
      }));
  }
  auto rss0 = rss_bytes();
  auto starts = run_batch(self, workers, sched_atom::value);
  auto rss1 = rss_bytes();
  auto start_ns = starts.ns_per(opts.timers);
  std::printf("caf    start: %7.1f ns/timer (%5.2f M/s)  cancel:    n/a"
              "            memory: %5.1f bytes/pending timer (approx.: heap "
              "reused from the horae run)\n",
              start_ns, 1e3 / start_ns,
              double(rss1 - rss0) / double(opts.timers));
  stop_run(self, workers, sink);
  return start_ns;
}

std::vector<int64_t> caf_lateness(const options& opts) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto total = opts.rate * size_t(opts.seconds);
  auto log = std::make_shared<lateness_log>();
  log->samples.reserve(total);
  log->expected = total;
  log->notify = caf::actor_cast<caf::actor>(self);
  auto receiver = sys.spawn([log]() -> caf::behavior {
    return {[log](tick_atom, int64_t scheduled) {
      log->samples.push_back(now_ns() - scheduled);
      if (log->samples.size() == log->expected)
        caf::anon_send(log->notify, done_atom::value);
    }};
  });
  auto shares
    = make_shares(opts, total, 1'000'000'000LL,
                  1'000'000'000LL + opts.seconds * 1'000'000'000LL, now_ns());
  std::vector<caf::actor> workers;
  for (auto& s : shares) {
    auto sp = &s;
    workers.push_back(
      sys.spawn([=](caf::event_based_actor* wself) -> caf::behavior {
        return {[=](sched_atom) {
          auto begin = now_ns();
          for (auto t : sp->deadlines)
            wself->delayed_send(receiver,
                                std::chrono::nanoseconds(t - now_ns()),
                                tick_atom::value, t);
          return caf::make_message(begin, now_ns());
        }};
      }));
  }
  run_batch(self, workers, sched_atom::value);
  await_fires(self, opts, "caf");
  stop_run(self, workers, receiver);
  return std::move(log->samples);
}

} // namespace

int main(int argc, char** argv) {
  auto opts = parse(argc, argv);
  print_machine();
  std::printf("timers: %zu started from %zu actors, every other one cancelled "
              "(horae); wheel resolution %lld us; lateness phase: %zu fires/s "
              "for %d s\n",
              opts.timers, opts.actors,
              static_cast<long long>(opts.resolution_us), opts.rate,
              opts.seconds);
  std::fflush(stdout);
  auto h = horae_starts(opts);
  std::fflush(stdout);
  auto caf_start_ns = caf_starts(opts);
  std::fflush(stdout);
  auto hl = horae_lateness(opts);
  print_percentiles("horae", hl);
  std::fflush(stdout);
  auto cl = caf_lateness(opts);
  print_percentiles("caf", cl);
  std::printf("speedup_vs_caf_delayed_send=%.1f\n", caf_start_ns / h.start_ns);
  return 0;
}
