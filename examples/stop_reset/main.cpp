// Go's timer.Stop() and timer.Reset() with actors: a debouncer that restarts
// one timer per keystroke, cancel() as Stop, and a restart that makes an
// already queued fire stale (Go's "drain the channel" problem, solved).
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/make_message.hpp>

#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>

#include "common/example_support.hpp"

using namespace std::chrono_literals;
using namespace horae;
using examples::line;
using examples::say;

namespace {

/// One keystroke from the typist.
struct key {
  char c;
};

/// The typist is done; the debouncer moves on to the next part.
struct typing_done {};

/// Payload of the typist's own timer: type the next key.
struct type_next {};

} // namespace

// Local-only messages: they never leave the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(key)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(typing_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(type_next)

namespace {

struct settings {
  clock::duration debounce;
  clock::duration gap;
};

// -- the typist ---------------------------------------------------------------

/// Types `script` into `dest`: a key every `gap`, and a pause of three
/// debounce periods at every space so the debouncer flushes a word.
caf::behavior typist(actor* self, const caf::actor& dest, std::string script,
                     settings cfg) {
  self->attach<timer_facet>();
  // A trailing pause lets the last word flush before the next part.
  script += ' ';
  auto pos = std::make_shared<size_t>(0);
  auto schedule = [self, cfg](clock::duration d) {
    if (auto err
        = timers(self).start_once("next", d, caf::make_message(type_next{})))
      say(line("typist error: ", describe(err)));
  };
  schedule(cfg.gap);
  return {
    [=](type_next) {
      if (*pos == script.size()) {
        self->send(dest, typing_done{});
        self->quit();
        return;
      }
      auto c = script[(*pos)++];
      if (c == ' ') {
        schedule(3 * cfg.debounce);
        return;
      }
      self->send(dest, key{c});
      schedule(cfg.gap);
    },
  };
}

// -- the debouncer ------------------------------------------------------------

struct debouncer_state {
  actor* self;
  settings cfg;
  examples::completion* done;
  clock::time_point t0;
  std::string pending;
  size_t resets = 0;

  std::string now() const {
    return examples::offset(t0, self->clock().now());
  }

  void on_key(char c) {
    // Starting a timer under a taken name replaces it: this is Reset.
    auto was_active = timers(self).active("flush");
    if (auto err = timers(self).start_once("flush", cfg.debounce)) {
      say(line("error: ", describe(err)));
      return;
    }
    pending += c;
    if (was_active)
      ++resets;
    say(line(now(), " key '", c, "' -> flush timer ",
             was_active ? "reset" : "started", " (",
             describe_duration(cfg.debounce), ")"));
  }

  void on_flush(const timer_fired& x) {
    say(line(now(), " flush \"", pending, "\" after ", pending.size(),
             " keys; timer reset ", resets, " times, fire seq=", x.seq, " due ",
             examples::offset(t0, x.scheduled)));
    pending.clear();
    resets = 0;
  }

  /// Part 2: cancel() is Stop. It says whether the timer was still pending,
  /// like the bool of Go's Stop, and nothing is left to drain.
  void stop_part() {
    say("-- part 2: stop (cancel) a pending timer");
    for (auto c : std::string{"bye"})
      on_key(c);
    auto first = timers(self).cancel("flush");
    auto second = timers(self).cancel("flush");
    say(line(now(), " cancel(\"flush\") returned ", first ? "true" : "false",
             ", again: ", second ? "true" : "false", "; flushing \"", pending,
             "\" by hand"));
    pending.clear();
    resets = 0;
  }

  /// Part 3: restart a timer whose fire is already in the mailbox. In Go,
  /// Reset on a fired but undrained timer leaves a stale value in the
  /// channel; here the queued fire carries an old generation and is dropped.
  void stale_part() {
    say("-- part 3: restart while the old fire is already queued");
    auto short_delay = cfg.debounce / 6;
    if (auto err = timers(self).start_once("watchdog", short_delay)) {
      say(line("error: ", describe(err)));
      done->notify();
      return;
    }
    say(
      line(now(), " watchdog started (", describe_duration(short_delay), ")"));
    // Blocking an actor is bad practice; here it forces the race: the
    // watchdog falls due and its fire is queued while this handler runs.
    std::this_thread::sleep_for(2 * short_delay);
    say(line(now(), " busy handler done; the watchdog fire is queued"));
    if (auto err = timers(self).start_once("watchdog", cfg.debounce)) {
      say(line("error: ", describe(err)));
      done->notify();
      return;
    }
    say(line(now(), " watchdog restarted (", describe_duration(cfg.debounce),
             "); the queued fire is now stale"));
  }

  void on_watchdog(const timer_fired& x) {
    say(line(now(), " watchdog fired once: seq=", x.seq, " due ",
             examples::offset(t0, x.scheduled),
             " (the stale fire was never delivered)"));
    done->notify();
  }
};

caf::behavior debouncer(actor* self, settings cfg, examples::completion* done) {
  self->attach<timer_facet>();
  auto st = std::make_shared<debouncer_state>();
  st->self = self;
  st->cfg = cfg;
  st->done = done;
  st->t0 = self->clock().now();
  say("-- part 1: debounce: every key resets the flush timer");
  return {
    [st](key k) { st->on_key(k.c); },
    [st](typing_done) {
      st->stop_part();
      st->stale_part();
    },
    [st](const timer_fired& x) {
      if (x.name == "flush")
        st->on_flush(x);
      else if (x.name == "watchdog")
        st->on_watchdog(x);
    },
  };
}

} // namespace

int main(int argc, char** argv) {
  examples::bootstrap boot{"stop_reset"};
  boot
    .option(option_spec::duration("debounce", 300ms, 10ms, 10s,
                                  "quiet time before the debouncer flushes"))
    .option(option_spec::duration("gap", 100ms, 1ms, 10s,
                                  "time between two keystrokes"))
    .option(option_spec::string("text", "hello world",
                                "what the typist types; a space is a pause"));
  if (!boot.start(argc, argv))
    return boot.exit_code();
  settings cfg{boot.cfg().get_duration("debounce"),
               boot.cfg().get_duration("gap")};
  auto text = boot.cfg().get_string("text");
  if (cfg.gap >= cfg.debounce)
    say("note: --gap is not shorter than --debounce, so every key flushes");
  auto& rt = boot.rt();
  examples::completion done;
  // main holds both handles: timers never keep an actor alive, and an actor
  // nobody references is gone even if it has timers pending.
  auto d = rt.spawn(
    [cfg, &done](actor* self) { return debouncer(self, cfg, &done); });
  auto t = rt.spawn(
    [d, text, cfg](actor* self) { return typist(self, d, text, cfg); });
  auto budget = static_cast<int64_t>(text.size() + 2) * 3 * cfg.debounce;
  return examples::await(done, budget + 10s);
}
