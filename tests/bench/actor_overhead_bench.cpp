// actor_overhead_bench: message throughput of horae actors against a plain
// CAF event-based actor, side by side in one run on the same actor system.
//
// Receivers: a plain CAF actor; a horae actor without facets (the cost of
// the class); one with the timer and reminder facets (every message passes
// their interceptors); a virtual actor with both facets, addressed by name
// through the registry. They take turns for `--rounds` rounds and the median
// of each is reported, so drift of the machine's load hits them all.
//
// Two measures per round:
// - drain: the receiver is held while `--messages` integers are queued,
//   then released; the time to handle them all is the receiver's own
//   per-message cost, which is what facets add to.
// - stream: one sender thread sends while the receiver handles; the time
//   runs from the first send to the last message handled, so it includes
//   the send path (for the virtual actor, the registry lookup).
//
// Usage: actor_overhead_bench [--messages=N] [--rounds=N] [--only=<receiver>]
// Last lines: <receiver>_vs_plain_caf_<measure>=<ratio of messages/s>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timers_module.hpp>

namespace {

using steady = std::chrono::steady_clock;

/// Blocks the receiver until `until` is ready, so that a drain round can
/// queue every message first.
struct hold {
  std::shared_future<void> until;
};

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

/// One receiver under test and its results.
struct receiver {
  explicit receiver(const char* label) : name(label) {
    // nop
  }

  const char* name;
  caf::actor handle;                     // set for directly addressed actors
  std::optional<horae::virtual_ref> ref; // set for the virtual actor
  std::shared_ptr<receipt> current;
  std::vector<double> drain;
  std::vector<double> stream;

  template <class T>
  void send(T x) const {
    if (ref)
      ref->send(std::move(x));
    else
      caf::anon_send(handle, std::move(x));
  }

  /// The behaviour every receiver runs.
  caf::behavior behavior() {
    return {
      [this](int32_t) { current->count(); },
      [](const hold& x) { x.until.wait(); },
    };
  }
};

double rate(int64_t n, steady::time_point t0, steady::time_point t1) {
  return static_cast<double>(n)
         / std::chrono::duration<double>(t1 - t0).count();
}

/// Queues `n` messages behind a hold, releases it and @returns messages per
/// second handled.
double measure_drain(receiver& r, int64_t n) {
  r.current = std::make_shared<receipt>(n);
  auto finished = r.current->done.get_future();
  std::promise<void> open;
  r.send(hold{open.get_future().share()});
  for (int64_t i = 0; i < n; ++i)
    r.send(static_cast<int32_t>(i));
  auto t0 = steady::now();
  open.set_value();
  return rate(n, t0, finished.get());
}

/// Sends `n` messages while the receiver runs and @returns messages per
/// second from the first send to the last message handled.
double measure_stream(receiver& r, int64_t n) {
  r.current = std::make_shared<receipt>(n);
  auto finished = r.current->done.get_future();
  auto t0 = steady::now();
  for (int64_t i = 0; i < n; ++i)
    r.send(static_cast<int32_t>(i));
  return rate(n, t0, finished.get());
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

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hold)

int main(int argc, char** argv) {
  long messages = 1'000'000;
  long rounds = 5;
  std::string only; // for profiling one receiver (plus the baseline)
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--only=", 7) == 0)
      only = argv[i] + 7;
    else if (!arg(argv[i], "--messages", messages)
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
  std::array<receiver, 4> receivers{
    receiver{"plain_caf"}, receiver{"horae_actor"}, receiver{"facet_actor"},
    receiver{"virtual_actor"}};
  auto& [plain, bare, faceted, virt] = receivers;
  plain.handle = rt.system().spawn(
    [&](caf::event_based_actor*) { return plain.behavior(); });
  bare.handle = rt.spawn([&](horae::actor*) { return bare.behavior(); });
  auto with_facets = [](receiver& r) {
    return [&r](horae::actor* self) {
      self->attach<horae::timer_facet>();
      self->attach<horae::reminder_facet>();
      return r.behavior();
    };
  };
  faceted.handle = rt.spawn(with_facets(faceted));
  horae::actor_type_options never_idle;
  never_idle.idle_timeout = std::chrono::seconds{0};
  rt.define("counter", with_facets(virt), never_idle);
  virt.ref = *rt.ref("counter", "1");
  auto n = static_cast<int64_t>(messages);
  // Round 0 warms up the allocator and the caches and is not counted.
  // Later rounds rotate the order, so that no receiver always inherits the
  // heap of the same predecessor.
  for (long round = 0; round <= rounds; ++round) {
    for (size_t k = 0; k < receivers.size(); ++k) {
      auto& r = receivers[(k + static_cast<size_t>(round)) % receivers.size()];
      if (!only.empty() && only != r.name && &r != &plain)
        continue;
      auto drain = measure_drain(r, n);
      auto stream = measure_stream(r, n);
      if (round == 0)
        continue;
      r.drain.push_back(drain);
      r.stream.push_back(stream);
    }
    if (round == 0)
      continue;
    std::printf("round %ld:", round);
    for (auto& r : receivers)
      if (!r.drain.empty())
        std::printf(" %s drain=%.0f/s stream=%.0f/s", r.name, r.drain.back(),
                    r.stream.back());
    std::printf("\n");
    std::fflush(stdout);
  }
  // The runtime waits for every actor of its system, including these.
  for (auto& r : receivers)
    if (r.handle)
      caf::anon_send_exit(r.handle, caf::exit_reason::user_shutdown);
  rt.shutdown();
  std::filesystem::remove_all(dir);
  std::printf("median of %ld rounds of %ld messages (messages/s):\n", rounds,
              messages);
  for (auto& r : receivers)
    if (!r.drain.empty())
      std::printf("  %-14s drain %10.0f  stream %10.0f\n", r.name,
                  median(r.drain), median(r.stream));
  for (size_t i = 1; i < receivers.size(); ++i) {
    auto& r = receivers[i];
    if (r.drain.empty())
      continue;
    std::printf("%s_vs_plain_caf_drain=%.3f\n", r.name,
                median(r.drain) / median(plain.drain));
    std::printf("%s_vs_plain_caf_stream=%.3f\n", r.name,
                median(r.stream) / median(plain.stream));
  }
  return 0;
}
