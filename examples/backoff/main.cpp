// Go's "retry with exponential backoff" with actors: each wait between two
// attempts is a TimerFacet one-shot, so the retrying actor never blocks and
// retries several jobs at once. Delays grow as base * 2^(n-1), capped, with
// jitter so that many clients do not retry in lockstep.
#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
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

/// A call to the flaky service for `job`.
struct call {
  std::string job;
};

/// Payload of a backoff timer: try `job` again.
struct retry {
  std::string job;
};

} // namespace

// Local-only messages: they never leave the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(retry)

namespace {

// -- the flaky service --------------------------------------------------------

/// Fails the first `failures[job]` calls of each job, then succeeds.
caf::behavior flaky_service(actor*,
                            const std::map<std::string, int64_t>& failures) {
  auto seen = std::make_shared<std::map<std::string, int64_t>>();
  return {
    [=](const call& c) -> caf::result<std::string> {
      auto n = ++(*seen)[c.job];
      auto i = failures.find(c.job);
      if (i != failures.end() && n <= i->second)
        return make_error(errc::backpressure, "overloaded (simulated)");
      return "processed " + c.job;
    },
  };
}

// -- the retrying client ------------------------------------------------------

struct settings {
  clock::duration base;
  clock::duration cap;
  int64_t max_attempts;
  clock::duration call_timeout;
  uint64_t seed;
};

/// Exponential backoff with "equal jitter": half of the delay is fixed, the
/// other half random. The delay still grows, yet retries spread out.
class backoff_policy {
public:
  backoff_policy(clock::duration base, clock::duration cap, uint64_t seed)
    : base_(base), cap_(cap), rng_(seed) {
    // nop
  }

  /// @returns the un-jittered delay after failed attempt `n` (from 1).
  clock::duration nominal(int64_t n) const {
    auto d = base_;
    for (int64_t i = 1; i < n && d < cap_; ++i)
      d *= 2;
    return std::min(d, cap_);
  }

  /// @returns the delay to wait after failed attempt `n`.
  clock::duration next(int64_t n) {
    auto d = nominal(n);
    std::uniform_int_distribution<int64_t> half{0, d.count() / 2};
    return clock::duration{d.count() - d.count() / 2 + half(rng_)};
  }

private:
  clock::duration base_;
  clock::duration cap_;
  std::mt19937_64 rng_;
};

struct retrier_state {
  actor* self;
  caf::actor service;
  settings cfg;
  backoff_policy policy;
  examples::completion* done;
  clock::time_point t0;
  std::map<std::string, int64_t> attempts;
  size_t open = 0;

  retrier_state(actor* self, caf::actor service, settings cfg,
                examples::completion* done)
    : self(self), service(std::move(service)), cfg(cfg),
      policy(cfg.base, cfg.cap, cfg.seed), done(done), t0(self->clock().now()) {
    // nop
  }

  std::string now() const {
    return examples::offset(t0, self->clock().now());
  }

  void attempt(const std::shared_ptr<retrier_state>& st,
               const std::string& job) {
    auto n = ++attempts[job];
    self->request(service, cfg.call_timeout, call{job})
      .then(
        [st, job, n](const std::string& reply) {
          say(line(st->now(), " ", job, " attempt ", n, " ok: ", reply));
          st->finish();
        },
        [st, job, n](caf::error& err) { st->failed(job, n, err); });
  }

  void failed(const std::string& job, int64_t n, const caf::error& err) {
    if (n >= cfg.max_attempts) {
      say(line(now(), " ", job, " attempt ", n, " failed: ", describe(err),
               "; giving up after ", n, " attempts"));
      finish();
      return;
    }
    auto delay = policy.next(n);
    // One timer per job, named after it: jobs back off independently, and
    // the actor keeps handling replies and other jobs meanwhile (Go's
    // <-timer.C would block the goroutine here).
    if (auto start_err = timers(self).start_once(
          "retry/" + job, delay, caf::make_message(retry{job}))) {
      say(line("error: ", describe(start_err)));
      finish();
      return;
    }
    say(line(now(), " ", job, " attempt ", n, " failed: ", describe(err),
             "; retry in ", format_duration(delay / 1ms * 1ms), " (backoff ",
             format_duration(policy.nominal(n)), " with jitter)"));
  }

  void finish() {
    if (--open == 0) {
      say(line(now(), " all jobs finished"));
      done->notify();
    }
  }
};

caf::behavior retrier(actor* self, caf::actor service,
                      const std::vector<std::string>& jobs, settings cfg,
                      examples::completion* done) {
  self->attach<timer_facet>();
  auto st
    = std::make_shared<retrier_state>(self, std::move(service), cfg, done);
  st->open = jobs.size();
  for (const auto& job : jobs) {
    say(line(st->now(), " ", job, " start"));
    st->attempt(st, job);
  }
  return {
    [st](const retry& r) { st->attempt(st, r.job); },
  };
}

} // namespace

int main(int argc, char** argv) {
  examples::bootstrap boot{"backoff"};
  boot
    .option(option_spec::duration("base", 100ms, 1ms, 1min,
                                  "delay after the first failed attempt"))
    .option(option_spec::duration("cap", 1s, 1ms, 1h,
                                  "longest delay between two attempts"))
    .option(option_spec::integer("max-attempts", 5, 1, 100,
                                 "attempts before giving up"))
    .option(option_spec::integer("failures", 3, 0, 1000,
                                 "how often the service fails order-17"))
    .option(option_spec::duration("call-timeout", 500ms, 1ms, 1min,
                                  "a call without an answer by then failed"))
    .option(
      option_spec::integer("seed", 42, 0, std::numeric_limits<int64_t>::max(),
                           "seed of the jitter (same seed, same delays)"));
  if (!boot.start(argc, argv))
    return boot.exit_code();
  const auto& cfg = boot.cfg();
  settings s{cfg.get_duration("base"), cfg.get_duration("cap"),
             cfg.get_int("max-attempts"), cfg.get_duration("call-timeout"),
             static_cast<uint64_t>(cfg.get_int("seed"))};
  if (s.cap < s.base) {
    say("error: --cap must not be shorter than --base");
    return 2;
  }
  // order-17 recovers after a few failures; order-18 never does.
  std::map<std::string, int64_t> failures{{"order-17", cfg.get_int("failures")},
                                          {"order-18", 1'000'000}};
  auto& rt = boot.rt();
  examples::completion done;
  auto service = rt.spawn(
    [failures](actor* self) { return flaky_service(self, failures); });
  // main holds the handle: timers never keep an actor alive.
  auto client = rt.spawn([service, s, &done](actor* self) {
    return retrier(self, service, {"order-17", "order-18"}, s, &done);
  });
  auto budget = s.max_attempts * (s.cap + s.call_timeout);
  return examples::await(done, budget + 10s);
}
