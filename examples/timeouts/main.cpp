// Go's "timeout of a slow operation" with actors: CAF's request timeout for
// a single call, and a TimerFacet deadline raced against a fan-in of calls.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/make_message.hpp>
#include <caf/sec.hpp>

#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>

#include "common/example_support.hpp"

using namespace std::chrono_literals;
using namespace horae;
using examples::line;
using examples::say;

namespace {

/// A request to a worker: take `work` to answer.
struct job {
  uint64_t id;
  clock::duration work;
};

/// Payload of the worker's own timer: job `id` is finished.
struct job_done {
  uint64_t id;
};

/// Asks a worker to give up on job `id` (the caller stopped waiting).
struct cancel_job {
  uint64_t id;
};

} // namespace

// Local-only messages: they never leave the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(job_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cancel_job)

namespace {

std::string timer_name(uint64_t id) {
  return "job-" + std::to_string(id);
}

// -- the slow worker ----------------------------------------------------------

/// Answers each job after its `work` time. It never sleeps: the wait is a
/// one-shot timer per job, so it serves many jobs at once and can cancel one.
caf::behavior worker(actor* self, const std::string& name) {
  self->attach<timer_facet>();
  using promise = caf::typed_response_promise<std::string>;
  auto pending = std::make_shared<std::map<uint64_t, promise>>();
  return {
    [=](const job& j) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      if (auto err = timers(self).start_once(timer_name(j.id), j.work,
                                             caf::make_message(job_done{j.id})))
        return err;
      pending->emplace(j.id, rp);
      return rp;
    },
    [=](const job_done& d) {
      auto i = pending->find(d.id);
      if (i == pending->end())
        return;
      i->second.deliver(name + " finished job " + std::to_string(d.id));
      pending->erase(i);
    },
    [=](const cancel_job& c) {
      // cancel() is Go's timer.Stop(): true if the timer had not fired yet.
      // A job_done already in the mailbox is dropped as well.
      if (timers(self).cancel(timer_name(c.id))) {
        say(line("  ", name, ": job ", c.id,
                 " cancelled before it finished, no work wasted"));
        auto i = pending->find(c.id);
        if (i != pending->end()) {
          i->second.deliver(make_error(errc::cancelled, "caller gave up"));
          pending->erase(i);
        }
      }
    },
  };
}

// -- the client ---------------------------------------------------------------

struct settings {
  clock::duration timeout;
  clock::duration fast;
  clock::duration slow;
};

/// Runs the scenarios one after the other; each calls `next` when done.
struct client_state : std::enable_shared_from_this<client_state> {
  actor* self;
  std::vector<caf::actor> workers;
  settings cfg;
  examples::completion* done;
  clock::time_point t0;
  uint64_t next_id = 1;
  std::vector<std::function<void()>> steps;
  size_t step = 0;

  // State of the current fan-in round.
  size_t expected = 0;
  size_t answered = 0;
  bool deadline_passed = false;
  std::map<uint64_t, caf::actor> open_jobs;

  std::string now() const {
    return examples::offset(t0, self->clock().now());
  }

  void next() {
    if (step < steps.size()) {
      steps[step++]();
      return;
    }
    say("done");
    done->notify();
  }

  /// Part 1: one call, CAF's own request timeout. Like Go's
  /// select { case r := <-result: ... case <-time.After(d): ... }.
  void single_call(clock::duration work) {
    auto self_ptr = shared_from_this();
    auto id = next_id++;
    auto& w = workers.front();
    say(line(now(), " request job ", id, " (takes ", format_duration(work),
             ", timeout ", format_duration(cfg.timeout), ")"));
    self->request(w, cfg.timeout, job{id, work})
      .then(
        [self_ptr, id](const std::string& reply) {
          say(line(self_ptr->now(), " job ", id, " ok: ", reply));
          self_ptr->next();
        },
        [self_ptr, id, w](caf::error& err) {
          if (err == caf::sec::request_timeout) {
            say(line(self_ptr->now(), " job ", id,
                     " timed out (caf::sec::request_timeout)"));
            // A timeout does not stop the work; tell the worker, as Go code
            // would cancel a context.
            self_ptr->self->send(w, cancel_job{id});
          } else {
            say(line(self_ptr->now(), " job ", id, " failed: ", describe(err)));
          }
          self_ptr->next();
        });
  }

  /// Part 2: one deadline for several calls, as a TimerFacet one-shot. The
  /// deadline is cancelled when every answer is in; if it fires first, the
  /// open calls are cancelled and the round ends with what arrived.
  void fan_in(std::vector<clock::duration> works) {
    auto self_ptr = shared_from_this();
    expected = works.size();
    answered = 0;
    deadline_passed = false;
    open_jobs.clear();
    say(line(now(), " fan-in of ", works.size(), " jobs, deadline ",
             format_duration(cfg.timeout)));
    if (auto err = timers(self).start_once("deadline", cfg.timeout)) {
      say(line("error: ", describe(err)));
      done->notify();
      return;
    }
    for (size_t i = 0; i < works.size(); ++i) {
      auto id = next_id++;
      auto w = workers[i % workers.size()];
      open_jobs.emplace(id, w);
      say(line("  job ", id, " takes ", format_duration(works[i])));
      // No CAF timeout: the shared deadline timer is the only one.
      self->request(w, caf::infinite, job{id, works[i]})
        .then(
          [self_ptr, id](const std::string& reply) {
            self_ptr->answer(id, "ok: " + reply);
          },
          [self_ptr, id](caf::error& err) {
            self_ptr->answer(id, "error: " + describe(err));
          });
    }
  }

  void answer(uint64_t id, const std::string& what) {
    say(line(now(), " job ", id, " ", what,
             deadline_passed ? " (after the deadline)" : ""));
    open_jobs.erase(id);
    if (++answered < expected)
      return;
    if (!deadline_passed) {
      // Go: defer timer.Stop(). Here a fire that is already queued is
      // dropped too, so nothing needs draining.
      auto was_active = timers(self).cancel("deadline");
      say(line(now(), " all ", expected,
               " answers in time; deadline cancelled"
               " (cancel returned ",
               was_active ? "true" : "false", ")"));
    }
    next();
  }

  void on_deadline() {
    deadline_passed = true;
    say(line(now(), " deadline: ", answered, " of ", expected,
             " answers; cancelling ", open_jobs.size(), " open job(s)"));
    for (auto& [id, w] : open_jobs)
      self->send(w, cancel_job{id});
  }
};

caf::behavior client(actor* self, std::vector<caf::actor> workers, settings cfg,
                     examples::completion* done) {
  self->attach<timer_facet>();
  auto st = std::make_shared<client_state>();
  st->self = self;
  st->workers = std::move(workers);
  st->cfg = cfg;
  st->done = done;
  st->t0 = self->clock().now();
  auto fast = cfg.fast;
  st->steps = {
    [st] {
      say("-- part 1: a single call with CAF's request timeout");
      st->next();
    },
    [st, fast] { st->single_call(fast); },
    [st] { st->single_call(st->cfg.slow); },
    [st] {
      say("-- part 2: a TimerFacet deadline over a fan-in");
      st->next();
    },
    [st, fast] {
      st->fan_in({fast, 2 * fast, 3 * fast});
    },
    [st, fast] {
      st->fan_in({fast, 3 * fast, st->cfg.slow});
    },
  };
  st->next();
  return {
    [st](const timer_fired& x) {
      if (x.name == "deadline")
        st->on_deadline();
    },
  };
}

} // namespace

int main(int argc, char** argv) {
  examples::bootstrap boot{"timeouts"};
  boot
    .option(option_spec::duration("timeout", 1s, 1ms, 1h,
                                  "how long the caller waits"))
    .option(
      option_spec::duration("fast", 200ms, 1ms, 1h, "work time of a fast job"))
    .option(option_spec::duration("slow", 1500ms, 1ms, 1h,
                                  "work time of a slow job"));
  if (!boot.start(argc, argv))
    return boot.exit_code();
  settings cfg{boot.cfg().get_duration("timeout"),
               boot.cfg().get_duration("fast"),
               boot.cfg().get_duration("slow")};
  auto& rt = boot.rt();
  std::vector<caf::actor> workers;
  for (auto name : {"worker-a", "worker-b", "worker-c"})
    workers.push_back(
      rt.spawn([name](actor* self) { return worker(self, name); }));
  examples::completion done;
  // Timers never keep an actor alive, so main holds the client's handle.
  auto c = rt.spawn([workers, cfg, &done](actor* self) {
    return client(self, workers, cfg, &done);
  });
  // Two single calls and two rounds, each bounded by the timeout.
  return examples::await(done, 4 * (cfg.timeout + cfg.slow) + 10s);
}
