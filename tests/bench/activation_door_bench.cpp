// activation_door_bench: what the activation cell's door costs a
// `virtual_ref` send, per thread, with one and two threads sending to the
// same key at once: the marker path every send takes (a plain store and a
// compiler barrier) against the counted path (two read-modify-writes on
// the cell, shared by every sender of the key).
//
// The door is measured alone: the activation is a sink whose enqueue hands
// the element straight back to the sending thread, so no allocation and no
// mailbox is in the figures. The whole send path is measured by
// actor_overhead_bench (`virtual_ref_vs_direct_send`).
//
// Usage: activation_door_bench [--sends=N] [--rounds=N]
// Last lines: key=value results, e.g. door_two_senders_vs_counted=, see
// docs/performance.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "actors/activation_cell.hpp"
#include "support/measure.hpp"

namespace {

using horae::bench::median;
using horae::detail::activation_cell;
using steady = std::chrono::steady_clock;

/// The element the sink took last on this thread.
thread_local caf::mailbox_element_ptr handed_back;

/// An activation that takes no message: every element goes back to the
/// thread that sent it.
class sink : public caf::event_based_actor {
public:
  using caf::event_based_actor::event_based_actor;

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit*) override {
    handed_back = std::move(what);
  }

  caf::behavior make_behavior() override {
    return {[](int32_t) {}};
  }
};

enum class door_path { markers, counted };

/// @returns nanoseconds per send, per thread, with `threads` threads each
///          sending `sends` times through `cell`.
double ns_per_send(activation_cell& cell, door_path path, int threads,
                   long sends) {
  std::vector<std::thread> senders;
  senders.reserve(static_cast<size_t>(threads));
  auto t0 = steady::now();
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&] {
      auto element = caf::make_mailbox_element(
        nullptr, caf::make_message_id(), {}, caf::make_message(int32_t{1}));
      for (long i = 0; i < sends; ++i) {
        auto entered = path == door_path::markers
                         ? cell.try_enqueue(element)
                         : cell.try_enqueue_counted(element);
        if (!entered)
          std::abort(); // the door never closes here
        element = std::move(handed_back);
      }
    });
  for (auto& t : senders)
    t.join();
  auto elapsed = std::chrono::duration<double, std::nano>(steady::now() - t0);
  return elapsed.count() / static_cast<double>(sends);
}

} // namespace

int main(int argc, char** argv) {
  long sends = 2'000'000;
  long rounds = 7;
  for (int i = 1; i < argc; ++i)
    if (!horae::bench::long_option(argv[i], "--sends", sends)
        && !horae::bench::long_option(argv[i], "--rounds", rounds)) {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  if (sends < 1 || rounds < 1) {
    std::fprintf(stderr, "--sends and --rounds must be at least 1\n");
    return 2;
  }
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto activation = system.spawn<sink>();
  activation_cell cell;
  cell.open(activation);
  double figures[2][2]; // [threads - 1][path]
  for (int threads = 1; threads <= 2; ++threads) {
    std::vector<double> markers;
    std::vector<double> counted;
    // Alternating, so that drift of the machine's load hits both.
    for (long round = 0; round < rounds; ++round) {
      markers.push_back(ns_per_send(cell, door_path::markers, threads, sends));
      counted.push_back(ns_per_send(cell, door_path::counted, threads, sends));
    }
    figures[threads - 1][0] = median(markers);
    figures[threads - 1][1] = median(counted);
    std::printf("%d sending thread(s): markers %.1f ns, counted %.1f ns per "
                "send (medians of %ld rounds of %ld sends per thread)\n",
                threads, figures[threads - 1][0], figures[threads - 1][1],
                rounds, sends);
  }
  cell.clear();
  caf::anon_send_exit(activation, caf::exit_reason::user_shutdown);
  std::printf("door_one_sender_ns=%.2f\n", figures[0][0]);
  std::printf("door_two_senders_ns=%.2f\n", figures[1][0]);
  std::printf("counted_door_one_sender_ns=%.2f\n", figures[0][1]);
  std::printf("counted_door_two_senders_ns=%.2f\n", figures[1][1]);
  // How many times faster the door is than the counted one, per send.
  std::printf("door_one_sender_vs_counted=%.2f\n",
              figures[0][1] / figures[0][0]);
  std::printf("door_two_senders_vs_counted=%.2f\n",
              figures[1][1] / figures[1][0]);
  return 0;
}
