// Go's time.Timer vs time.Ticker with actors: a one-shot next to a periodic
// timer, fixed-rate vs fixed-delay ticks under a slow handler, and what
// happens to ticks a busy actor cannot keep up with (coalescing).
#include <memory>
#include <string>
#include <thread>

#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>

#include "common/example_support.hpp"

using namespace std::chrono_literals;
using namespace horae;
using examples::line;
using examples::say;

namespace {

/// Stands in for real work in a handler. Blocking an actor is bad practice;
/// here it is the point: it makes the handler slower than the timer.
void busy_work(clock::duration d) {
  std::this_thread::sleep_for(d);
}

// -- part 1 -------------------------------------------------------------------

/// A one-shot "timer" and a periodic "ticker", stopped after three ticks.
caf::behavior timer_and_ticker(actor* self, clock::duration tick,
                               examples::completion* done) {
  self->attach<timer_facet>();
  auto t0 = self->clock().now();
  auto& tm = timers(self);
  caf::error err;
  if (!err)
    err = tm.start_once("timer", 2 * tick);
  if (!err)
    err = tm.start_periodic("ticker", tick);
  if (err) {
    say(line("error: ", describe(err)));
    done->notify();
    return {};
  }
  return {
    [=](const timer_fired& x) {
      auto at = examples::offset(t0, x.scheduled);
      if (x.name == "timer") {
        say(line(at, " timer fired once (seq=", x.seq, "); active now: ",
                 timers(self).active("timer") ? "yes" : "no"));
      } else {
        say(line(at, " ticker tick ", x.seq));
        // Go: ticker.Stop(). A ticker runs until it is cancelled.
        if (x.seq == 3) {
          timers(self).cancel("ticker");
          say(line(at, " ticker cancelled after 3 ticks"));
        }
      }
      if (timers(self).count() == 0) {
        done->notify();
        self->quit();
      }
    },
  };
}

// -- part 2 -------------------------------------------------------------------

/// A periodic timer in `mode` whose handler needs `work`; quits after
/// `ticks` fires.
caf::behavior slow_ticker(actor* self, timer_mode mode, clock::duration tick,
                          clock::duration work, uint64_t ticks,
                          examples::completion* done) {
  self->attach<timer_facet>();
  auto t0 = self->clock().now();
  periodic_options opts;
  opts.mode = mode;
  if (auto err = timers(self).start_periodic("tick", tick, opts)) {
    say(line("error: ", describe(err)));
    done->notify();
    return {};
  }
  auto label = std::string{to_string(mode)};
  label.resize(12, ' ');
  auto previous = std::make_shared<clock::time_point>(t0);
  return {
    [=](const timer_fired& x) {
      auto gap = examples::offset(*previous, x.scheduled);
      *previous = x.scheduled;
      auto folded = x.coalesced == 0
                      ? std::string{}
                      : line(": ticks ", x.seq, "..", x.seq + x.coalesced,
                             " in one fire");
      say(line(label, "tick ", x.seq, " due ",
               examples::offset(t0, x.scheduled), " (", gap,
               " after the previous one), coalesced=", x.coalesced, folded));
      busy_work(work);
      if (x.seq + x.coalesced >= ticks) {
        done->notify();
        self->quit();
      }
    },
  };
}

} // namespace

int main(int argc, char** argv) {
  examples::bootstrap boot{"ticker_vs_timer"};
  boot.option(option_spec::duration("interval", 200ms, 10ms, 10s,
                                    "base interval of the tickers"));
  if (!boot.start(argc, argv))
    return boot.exit_code();
  auto tick = boot.cfg().get_duration("interval");
  auto& rt = boot.rt();
  auto limit = 30 * tick + 10s;
  int rc = 0;

  say(line("-- part 1: a one-shot timer (", describe_duration(2 * tick),
           ") and a ticker (every ", describe_duration(tick), ")"));
  {
    examples::completion done;
    // Handles are held while the part runs: timers never keep an actor
    // alive by themselves.
    auto a = rt.spawn([tick, &done](actor* self) {
      return timer_and_ticker(self, tick, &done);
    });
    rc = examples::await(done, limit);
  }

  auto work = tick / 4;
  say(line("-- part 2: fixed rate vs fixed delay, every ",
           describe_duration(tick), ", handler takes ",
           describe_duration(work)));
  if (rc == 0) {
    examples::completion rate_done;
    examples::completion delay_done;
    auto a = rt.spawn([=, &rate_done](actor* self) {
      return slow_ticker(self, timer_mode::fixed_rate, tick, work, 5,
                         &rate_done);
    });
    auto b = rt.spawn([=, &delay_done](actor* self) {
      return slow_ticker(self, timer_mode::fixed_delay, tick, work, 5,
                         &delay_done);
    });
    rc = examples::await(rate_done, limit);
    if (rc == 0)
      rc = examples::await(delay_done, limit);
  }

  auto fast = tick / 2;
  auto slow_work = tick + tick / 4;
  say(line("-- part 3: a ticker every ", describe_duration(fast),
           ", handler takes ", describe_duration(slow_work),
           ": missed ticks are coalesced, never queued up"));
  if (rc == 0) {
    examples::completion done;
    auto a = rt.spawn([=, &done](actor* self) {
      return slow_ticker(self, timer_mode::fixed_rate, fast, slow_work, 12,
                         &done);
    });
    rc = examples::await(done, limit);
  }
  return rc;
}
