// actor_overhead_bench: message throughput of a facet-equipped horae actor
// and of a virtual actor against a plain CAF event-based actor, side by side
// in one run on the same actor system.
//
// One sender thread sends `--messages` integers to one receiver, which
// counts them; the time runs from the first send to the last message
// handled. The receivers (a plain CAF actor, a horae actor without facets,
// one with the timer and reminder facets, and a virtual actor with both)
// take turns for `--rounds` rounds and the median of each is reported, so
// drift of the machine's load hits them all.
//
// Usage: actor_overhead_bench [--messages=N] [--rounds=N]
// Last lines: horae_actor_vs_plain_caf=, facet_actor_vs_plain_caf=,
// virtual_actor_vs_plain_caf= (ratios of messages per second)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <vector>

#include <caf/all.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timers_module.hpp>

namespace {

using steady = std::chrono::steady_clock;

/// Counts received integers and reports when `expected` have arrived.
struct receipt {
  explicit receipt(int64_t n) : expected(n) {
    // nop
  }

  void count() {
    if (++received == expected)
      done.set_value(steady::now());
  }

  int64_t expected;
  int64_t received = 0;
  std::promise<steady::time_point> done;
};

/// Sends `n` integers through `send` and @returns messages per second.
double measure(int64_t n, const std::shared_ptr<receipt>& r,
               const std::function<void(int32_t)>& send) {
  auto finished = r->done.get_future();
  auto t0 = steady::now();
  for (int64_t i = 0; i < n; ++i)
    send(static_cast<int32_t>(i));
  auto t1 = finished.get();
  return static_cast<double>(n) / std::chrono::duration<double>(t1 - t0).count();
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

bool arg(const char* text, const char* name, long& out) {
  auto len = std::strlen(name);
  if (std::strncmp(text, name, len) != 0 || text[len] != '=')
    return false;
  char* end = nullptr;
  out = std::strtol(text + len + 1, &end, 10);
  return *end == '\0';
}

} // namespace

int main(int argc, char** argv) {
  long messages = 2'000'000;
  long rounds = 5;
  for (int i = 1; i < argc; ++i)
    if (!arg(argv[i], "--messages", messages)
        && !arg(argv[i], "--rounds", rounds)) {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  if (messages < 1 || rounds < 1) {
    std::fprintf(stderr, "--messages and --rounds must be at least 1\n");
    return 2;
  }
  auto dir = std::filesystem::temp_directory_path() / "horae-overhead-bench";
  std::filesystem::create_directories(dir);
  horae::config cfg;
  cfg.add_module(horae::timers_module());
  cfg.add_module(horae::reminders_module());
  cfg.set("horae.reminders.db", caf::config_value{(dir / "r.db").string()});
  cfg.set("horae.log.level", caf::config_value{std::string{"warn"}});
  auto made = horae::runtime::make(std::move(cfg));
  if (!made) {
    std::fprintf(stderr, "%s\n", horae::describe(made.error()).c_str());
    return 1;
  }
  auto& rt = **made;
  // The horae receivers carry both facets, so every message passes their
  // interceptors (before, after) on the way to the behaviour.
  auto facet_behavior = [](std::shared_ptr<receipt>* slot) {
    return [slot](horae::actor* self) -> caf::behavior {
      self->attach<horae::timer_facet>();
      self->attach<horae::reminder_facet>();
      return {[slot](int32_t) { (*slot)->count(); }};
    };
  };
  std::shared_ptr<receipt> plain_slot;
  std::shared_ptr<receipt> bare_slot;
  std::shared_ptr<receipt> facet_slot;
  std::shared_ptr<receipt> virtual_slot;
  auto plain = rt.system().spawn([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int32_t) { plain_slot->count(); }};
  });
  // A horae actor without facets separates the cost of the class from the
  // cost of the facets' interceptors.
  auto bare = rt.spawn([&](horae::actor*) -> caf::behavior {
    return {[&](int32_t) { bare_slot->count(); }};
  });
  auto faceted = rt.spawn(facet_behavior(&facet_slot));
  horae::actor_type_options never_idle;
  never_idle.idle_timeout = std::chrono::seconds{0};
  rt.define("counter", facet_behavior(&virtual_slot), never_idle);
  auto ref = *rt.ref("counter", "1");
  std::vector<double> plain_rates;
  std::vector<double> bare_rates;
  std::vector<double> facet_rates;
  std::vector<double> virtual_rates;
  auto n = static_cast<int64_t>(messages);
  for (long round = 0; round < rounds; ++round) {
    plain_slot = std::make_shared<receipt>(n);
    plain_rates.push_back(measure(n, plain_slot, [&](int32_t x) {
      caf::anon_send(plain, x);
    }));
    bare_slot = std::make_shared<receipt>(n);
    bare_rates.push_back(measure(n, bare_slot, [&](int32_t x) {
      caf::anon_send(bare, x);
    }));
    facet_slot = std::make_shared<receipt>(n);
    facet_rates.push_back(measure(n, facet_slot, [&](int32_t x) {
      caf::anon_send(faceted, x);
    }));
    virtual_slot = std::make_shared<receipt>(n);
    virtual_rates.push_back(measure(n, virtual_slot, [&](int32_t x) {
      ref.send(x);
    }));
    std::printf("round %ld: plain_caf=%.0f/s horae_actor=%.0f/s "
                "facet_actor=%.0f/s virtual_actor=%.0f/s\n",
                round + 1, plain_rates.back(), bare_rates.back(),
                facet_rates.back(), virtual_rates.back());
    std::fflush(stdout);
  }
  // The runtime waits for every actor of its system, including these two.
  caf::anon_send_exit(plain, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(bare, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(faceted, caf::exit_reason::user_shutdown);
  rt.shutdown();
  std::filesystem::remove_all(dir);
  auto p = median(plain_rates);
  auto b = median(bare_rates);
  auto f = median(facet_rates);
  auto v = median(virtual_rates);
  std::printf("median of %ld rounds of %ld messages: plain_caf=%.0f/s "
              "horae_actor=%.0f/s facet_actor=%.0f/s virtual_actor=%.0f/s\n",
              rounds, messages, p, b, f, v);
  std::printf("horae_actor_vs_plain_caf=%.3f\n", b / p);
  std::printf("facet_actor_vs_plain_caf=%.3f\n", f / p);
  std::printf("virtual_actor_vs_plain_caf=%.3f\n", v / p);
  return 0;
}
