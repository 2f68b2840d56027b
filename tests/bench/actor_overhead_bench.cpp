// actor_overhead_bench: message throughput of horae actors against a plain
// CAF event-based actor, side by side in one run on the same actor system.
//
// Receivers: a plain CAF actor and a second one (the noise floor: its ratio
// to the first shows how much two identical actors differ in this run); a
// horae actor without facets (the cost of the class); one with the timer
// and reminder facets, which leave ordinary messages alone; one with a
// facet that intercepts every message (the cost of interception); a
// virtual actor with the timer and reminder facets, addressed by name
// through the registry. They take turns for `--rounds` rounds and the median
// of each is reported, so drift of the machine's load hits them all.
//
// The virtual actor is also measured through its activation's handle
// (`virtual_actor_direct`), right before or after the reference in each
// round, in turns: the same actor, the same behaviour and the same heap,
// only the send path differs. `virtual_ref_vs_direct_send` is the median of
// those per-round ratios.
//
// Two measures per round:
// - drain: the receiver is held while `--messages` integers are queued,
//   then released; the time to handle them all is the receiver's own
//   per-message cost, which is what facets add to.
// - stream: one sender thread sends while the receiver handles; the time
//   runs from the first send to the last message handled, so it includes
//   the send path (for the virtual actor, the registry lookup).
//
// Instructions per message handled (drain) are counted too, which noise
// does not move: under valgrind's callgrind (the bench runs itself there
// with `--callgrind-child`), since virtual machines rarely expose hardware
// counters. `--no-instructions` skips that.
//
// Usage: actor_overhead_bench [--messages=N] [--rounds=N] [--only=<receiver>]
//                             [--no-instructions]
// Last lines: key=value results, e.g. facet_actor_vs_caf=, see
// docs/performance.md.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HORAE_BENCH_CALLGRIND 1
#endif

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timers_module.hpp>

#include "support/measure.hpp"

namespace {

using horae::bench::median;
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
  /// Set where this receiver sends to another receiver's actor, whose
  /// behaviour counts the messages.
  receiver* counted_by = nullptr;
  std::shared_ptr<receipt> current;
  std::vector<double> drain;
  std::vector<double> stream;
  std::vector<double> queued; // messages/s queued behind the hold

  /// @returns the receiver whose behaviour counts this one's messages.
  receiver& counter() {
    return counted_by != nullptr ? *counted_by : *this;
  }

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

/// Queues `n` messages behind a hold, calls `before()`, releases the hold
/// and @returns when the last message was handled. The rate of queueing
/// (the sender's side alone: the receiver does not run meanwhile) goes to
/// `sent` if given.
template <class Before>
steady::time_point drain(receiver& r, int64_t n, Before before,
                         double* sent = nullptr) {
  auto& counter = r.counter();
  counter.current = std::make_shared<receipt>(n);
  auto finished = counter.current->done.get_future();
  std::promise<void> open;
  r.send(hold{open.get_future().share()});
  auto t0 = steady::now();
  for (int64_t i = 0; i < n; ++i)
    r.send(static_cast<int32_t>(i));
  if (sent != nullptr)
    *sent = rate(n, t0, steady::now());
  before();
  open.set_value();
  return finished.get();
}

/// Drains `n` queued messages and @returns messages per second handled;
/// records the queueing rate in `r.queued`.
double measure_drain(receiver& r, int64_t n) {
  steady::time_point t0;
  double sent = 0;
  auto t1 = drain(
    r, n, [&] { t0 = steady::now(); }, &sent);
  r.queued.push_back(sent);
  return rate(n, t0, t1);
}

/// Sends `n` messages while the receiver runs and @returns messages per
/// second from the first send to the last message handled.
double measure_stream(receiver& r, int64_t n) {
  auto& counter = r.counter();
  counter.current = std::make_shared<receipt>(n);
  auto finished = counter.current->done.get_future();
  auto t0 = steady::now();
  for (int64_t i = 0; i < n; ++i)
    r.send(static_cast<int32_t>(i));
  return rate(n, t0, finished.get());
}

/// @returns the median of `xs[i] / ys[i]`: per-round ratios, so that a
///          round that was slow for both counts as one ratio.
double median_ratio(const std::vector<double>& xs,
                    const std::vector<double>& ys) {
  std::vector<double> ratios;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i)
    ratios.push_back(xs[i] / ys[i]);
  return ratios.empty() ? 0.0 : median(std::move(ratios));
}

/// A facet that wants every message and lets it pass: what interception
/// itself costs, without any work of a real facet.
class pass_through_facet : public horae::facet {
public:
  std::string_view name() const noexcept override {
    return "pass_through";
  }

  horae::message_filter intercepts() const override {
    return horae::message_filter::every();
  }

  horae::intercept before_message(horae::actor&,
                                  const caf::type_erased_tuple&) override {
    return horae::intercept::proceed();
  }
};

// -- instruction counts under callgrind ---------------------------------------

/// Drains `n` queued messages with callgrind counting only the drain, and
/// dumps the count under the receiver's name.
void count_drain([[maybe_unused]] receiver& r, [[maybe_unused]] int64_t n) {
#ifdef HORAE_BENCH_CALLGRIND
  drain(r, n, [] { CALLGRIND_ZERO_STATS; });
  CALLGRIND_DUMP_STATS_AT(r.name);
#endif
}

/// Runs this program under callgrind with `--callgrind-child=n` and reads
/// the instructions per message of each receiver from its dumps.
std::map<std::string, double> instructions_per_message(const char* self,
                                                       int64_t n) {
  std::map<std::string, double> result;
  auto dir = std::filesystem::temp_directory_path() / "horae-overhead-cg";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto cmd = "valgrind --tool=callgrind -q --callgrind-out-file="
             + (dir / "cg.%p").string() + " " + self + " --callgrind-child="
             + std::to_string(n) + " > " + (dir / "log").string() + " 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "instruction count unavailable: '%s' failed\n",
                 cmd.c_str());
    return result;
  }
  for (auto& entry : std::filesystem::directory_iterator{dir}) {
    std::ifstream in{entry.path()};
    std::string line;
    std::string name;
    double total = -1;
    while (std::getline(in, line)) {
      const std::string trigger = "desc: Trigger: Client Request: ";
      if (line.rfind(trigger, 0) == 0)
        name = line.substr(trigger.size());
      else if (line.rfind("totals: ", 0) == 0)
        total = std::strtod(line.c_str() + 8, nullptr);
    }
    if (!name.empty() && total >= 0)
      result[name] = total / static_cast<double>(n);
  }
  std::filesystem::remove_all(dir);
  return result;
}

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hold)

int main(int argc, char** argv) {
  long messages = 1'000'000;
  long rounds = 5;
  long callgrind_child = 0;
  bool instructions = true;
  std::string only; // for profiling one receiver (plus the baseline)
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--only=", 7) == 0)
      only = argv[i] + 7;
    else if (std::strcmp(argv[i], "--no-instructions") == 0)
      instructions = false;
    else if (!horae::bench::long_option(argv[i], "--messages", messages)
             && !horae::bench::long_option(argv[i], "--rounds", rounds)
             && !horae::bench::long_option(argv[i], "--callgrind-child",
                                           callgrind_child)) {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  if (messages < 1 || rounds < 1 || callgrind_child < 0) {
    std::fprintf(stderr, "--messages and --rounds must be at least 1\n");
    return 2;
  }
  auto dir = std::filesystem::temp_directory_path()
             / ("horae-overhead-bench-" + std::to_string(::getpid()));
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
  std::array<receiver, 7> receivers{
    receiver{"plain_caf"},           receiver{"plain_caf_2"},
    receiver{"horae_actor"},         receiver{"facet_actor"},
    receiver{"intercepting_actor"},  receiver{"virtual_actor"},
    receiver{"virtual_actor_direct"}};
  auto& [plain, plain2, bare, faceted, intercepting, virt, virt_direct]
    = receivers;
  for (auto* r : {&plain, &plain2})
    r->handle = rt.system().spawn(
      [r](caf::event_based_actor*) { return r->behavior(); });
  bare.handle = rt.spawn([&](horae::actor*) { return bare.behavior(); });
  auto with_facets = [](receiver& r) {
    return [&r](horae::actor* self) {
      self->attach<horae::timer_facet>();
      self->attach<horae::reminder_facet>();
      return r.behavior();
    };
  };
  faceted.handle = rt.spawn(with_facets(faceted));
  intercepting.handle = rt.spawn([&](horae::actor* self) {
    self->attach<pass_through_facet>();
    return intercepting.behavior();
  });
  horae::actor_type_options never_idle;
  never_idle.idle_timeout = std::chrono::seconds{0};
  rt.define("counter", with_facets(virt), never_idle);
  virt.ref = *rt.ref("counter", "1");
  // Never idle, so this activation stays the reference's target.
  auto activation = virt.ref->resolve();
  if (!activation) {
    std::fprintf(stderr, "%s\n", horae::describe(activation.error()).c_str());
    return 1;
  }
  virt_direct.handle = *activation;
  virt_direct.counted_by = &virt;
  auto stop = [&] {
    // The runtime waits for every actor of its system, including these.
    for (auto& r : receivers)
      if (r.handle && r.counted_by == nullptr)
        caf::anon_send_exit(r.handle, caf::exit_reason::user_shutdown);
    rt.shutdown();
    std::filesystem::remove_all(dir);
  };
  if (callgrind_child > 0) {
    for (auto& r : receivers) {
      measure_drain(r, 1000); // warm up outside the count
      count_drain(r, callgrind_child);
    }
    stop();
    return 0;
  }
  auto n = static_cast<int64_t>(messages);
  // Round 0 warms up the allocator and the caches and is not counted.
  // Later rounds rotate the order, so that no receiver always inherits the
  // heap of the same predecessor.
  auto measure = [&](receiver& r, long round) {
    auto drain = measure_drain(r, n);
    auto stream = measure_stream(r, n);
    if (round == 0)
      return;
    r.drain.push_back(drain);
    r.stream.push_back(stream);
  };
  // The direct sends to the virtual actor go with its reference's turn.
  constexpr size_t rotating = 6;
  for (long round = 0; round <= rounds; ++round) {
    for (size_t k = 0; k < rotating; ++k) {
      auto& r = receivers[(k + static_cast<size_t>(round)) % rotating];
      if (!only.empty() && only != r.name && &r != &plain)
        continue;
      if (&r != &virt) {
        measure(r, round);
        continue;
      }
      auto first = round % 2 == 0 ? &virt : &virt_direct;
      measure(*first, round);
      measure(first == &virt ? virt_direct : virt, round);
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
  stop();
  std::map<std::string, double> ipm;
  if (instructions && only.empty())
    ipm = instructions_per_message(argv[0], 20'000);
  std::printf("median of %ld rounds of %ld messages (messages/s):\n", rounds,
              messages);
  for (auto& r : receivers)
    if (!r.drain.empty()) {
      std::printf("  %-18s drain %10.0f  stream %10.0f  queue %10.0f", r.name,
                  median(r.drain), median(r.stream), median(r.queued));
      if (auto i = ipm.find(r.name); i != ipm.end())
        std::printf("  instructions/message %6.0f", i->second);
      std::printf("\n");
    }
  for (size_t i = 1; i < receivers.size(); ++i) {
    auto& r = receivers[i];
    if (r.drain.empty())
      continue;
    std::printf("%s_vs_plain_caf_drain=%.3f\n", r.name,
                median(r.drain) / median(plain.drain));
    std::printf("%s_vs_plain_caf_stream=%.3f\n", r.name,
                median(r.stream) / median(plain.stream));
  }
  if (!only.empty())
    return 0;
  std::printf("noise_floor_vs_caf=%.3f\n",
              median(plain2.drain) / median(plain.drain));
  std::printf("facet_actor_vs_caf=%.3f\n",
              median(faceted.drain) / median(plain.drain));
  std::printf("virtual_ref_vs_direct_send=%.3f\n",
              median_ratio(virt.stream, virt_direct.stream));
  // The sender's side alone: a send through the registry's reference
  // against `anon_send` to the same activation, both into a held mailbox.
  std::printf("virtual_ref_send_vs_direct_send=%.3f\n",
              median_ratio(virt.queued, virt_direct.queued));
  auto ratio = [&](const char* name) {
    auto i = ipm.find(name);
    auto c = ipm.find("plain_caf");
    return i == ipm.end() || c == ipm.end() ? 0.0 : c->second / i->second;
  };
  if (!ipm.empty()) {
    std::printf("noise_floor_instructions_vs_caf=%.3f\n", ratio("plain_caf_2"));
    std::printf("facet_actor_instructions_vs_caf=%.3f\n", ratio("facet_actor"));
    std::printf("intercepting_actor_instructions_vs_caf=%.3f\n",
                ratio("intercepting_actor"));
  }
  return 0;
}
