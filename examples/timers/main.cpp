// The TimerFacet's three classic uses in one actor: a periodic heartbeat, a
// one-shot cleanup and a fast periodic poll, configured from an INI file.
#include <map>
#include <string>

#include <caf/make_message.hpp>

#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>

#include "common/example_support.hpp"

using namespace std::chrono_literals;
using namespace horae;
using examples::line;
using examples::say;

namespace {

/// Payload of the timer that ends the run. A payload timer delivers this
/// message instead of a `timer_fired`, so the stop is not counted as a fire.
struct stop_run {};

} // namespace

// Local-only message: it never leaves the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(stop_run)

namespace {

/// What the demo actor needs from the config.
struct settings {
  clock::duration heartbeat;
  clock::duration cleanup;
  clock::duration poll;
  clock::duration duration;
  clock::duration resolution;
};

caf::behavior timer_demo(actor* self, settings cfg,
                         examples::completion* done) {
  auto t0 = self->clock().now();
  auto& timers = horae::timers(self);
  caf::error err;
  if (!err)
    err = timers.start_periodic("heartbeat", cfg.heartbeat);
  if (!err)
    err = timers.start_once("cleanup", cfg.cleanup);
  if (!err)
    err = timers.start_periodic("poll", cfg.poll);
  // Ends the run one resolution after the deadline: ticks due exactly at
  // the deadline then land in an earlier wheel slot, are enqueued before the
  // stop and are counted, so the counts do not depend on slot order.
  if (!err)
    err = timers.start_once("stop", cfg.duration + cfg.resolution,
                            caf::make_message(stop_run{}));
  if (err) {
    say(line("error: ", describe(err)));
    done->notify();
    return {};
  }
  say(line("started ", self->display_name(), ": heartbeat every ",
           describe_duration(cfg.heartbeat), ", cleanup once after ",
           describe_duration(cfg.cleanup), ", poll every ",
           describe_duration(cfg.poll), ", stop after ",
           describe_duration(cfg.duration)));
  auto counts = std::make_shared<std::map<std::string, uint64_t>>();
  for (auto name : {"heartbeat", "cleanup", "poll"})
    (*counts)[name] = 0;
  return {
    [=](const timer_fired& x) {
      ++(*counts)[x.name];
      say(line("timer_fired name=", x.name, " seq=", x.seq,
               " at=", examples::offset(t0, x.scheduled),
               " late=", examples::lateness(x.scheduled, x.actual),
               " coalesced=", x.coalesced));
      // The one-shot is gone once it fired; its name is free again.
      if (x.name == "cleanup")
        say(line("cleanup done; cleanup timer still active: ",
                 horae::timers(self).active("cleanup") ? "yes" : "no"));
    },
    [=](stop_run) {
      auto pending = horae::timers(self).cancel_all();
      say(line("summary heartbeat=", (*counts)["heartbeat"],
               " poll=", (*counts)["poll"], " cleanup=", (*counts)["cleanup"],
               " cancelled_pending=", pending));
      done->notify();
    },
    [=](const std::string& hello) { say(line("received: ", hello)); },
  };
}

} // namespace

int main(int argc, char** argv) {
  examples::bootstrap boot{"timers"};
  boot
    .option(option_spec::duration("example.timers.heartbeat", 2s, 1ms, 1h,
                                  "interval of the periodic heartbeat"))
    .option(option_spec::duration("example.timers.cleanup", 5s, 0s, 1h,
                                  "delay of the one-shot cleanup"))
    .option(option_spec::duration("example.timers.poll", 500ms, 1ms, 1h,
                                  "interval of the periodic poll"))
    .option(
      option_spec::duration("duration", 6s, 0s, 24h, "stop after this long"));
  if (!boot.start(argc, argv, "config/timers_example.ini"))
    return boot.exit_code();
  const auto& cfg = boot.cfg();
  settings s{cfg.get_duration("example.timers.heartbeat"),
             cfg.get_duration("example.timers.cleanup"),
             cfg.get_duration("example.timers.poll"),
             cfg.get_duration("duration"),
             cfg.get_duration("horae.timers.resolution")};
  auto& rt = boot.rt();
  examples::completion done;
  // A virtual actor type, so that [actor.timer_demo] in the config decides
  // its facets and their settings; "timers" is added here as well so the
  // example also runs without a config file.
  actor_type_options opts;
  opts.facets = {"timers"};
  auto err = rt.define(
    "timer_demo",
    [s, &done](actor* self) { return timer_demo(self, s, &done); }, opts);
  if (err) {
    say(line("error: ", describe(err)));
    return 1;
  }
  auto ref = rt.ref("timer_demo", "main");
  if (!ref) {
    say(line("error: ", describe(ref.error())));
    return 1;
  }
  // The first message activates the actor, which starts its timers.
  if (auto err = ref->send(std::string{"hello"})) {
    say(line("error: ", describe(err)));
    return 1;
  }
  return examples::await(done, s.duration + 10s);
}
