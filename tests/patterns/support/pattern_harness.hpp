// Test support for pattern actors: a manual-time runtime, a client actor
// that runs code (and thus requests) from inside an actor, and helpers that
// record responses.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/response_promise.hpp>

#include <horae/core/error.hpp>

#include "facets/support/timer_harness.hpp"

namespace horae::test {

/// A plain actor that only runs `run_in_actor` closures, so tests can issue
/// requests and keep the response handlers inside the actor system.
inline caf::actor spawn_client(runtime& rt) {
  return rt.spawn([](actor* self) -> caf::behavior {
    return {[self](const run_in_actor& x) { x.fn(self); }};
  });
}

/// Outcome of one request: the first int of the response, or the error.
struct outcome {
  bool ok = false;
  int value = 0;
  errc code = errc::none;
  std::string what;
};

/// Collected outcomes in arrival order.
using outcomes = std::shared_ptr<std::vector<outcome>>;

inline outcomes make_outcomes() {
  return std::make_shared<std::vector<outcome>>();
}

/// Sends `msg` as a request from `client` to `dest` and records the reply.
inline void request_int(runtime& rt, const caf::actor& client,
                        const caf::actor& dest, caf::message msg, outcomes out,
                        caf::duration timeout = caf::infinite) {
  in_actor(rt, client, [=](actor* self) {
    self->request(dest, timeout, msg)
      .then(
        [out](int x) {
          out->push_back(outcome{true, x, errc::none, {}});
        },
        [out](caf::error& err) {
          out->push_back(outcome{false, 0, code_of(err), describe(err)});
        });
  });
}

/// Counts outcomes with the given code (errc::none counts successes).
inline size_t count(const outcomes& out, errc code) {
  size_t n = 0;
  for (auto& x : *out)
    if ((code == errc::none && x.ok) || (!x.ok && x.code == code))
      ++n;
  return n;
}

/// Sends `msg` as a request and returns the answer of type `T` after the
/// system ran until idle. @throws std::runtime_error if no `T` came back.
template <class T>
T ask(runtime& rt, const caf::actor& client, const caf::actor& dest,
      caf::message msg) {
  auto result = std::make_shared<std::optional<T>>();
  auto failure = std::make_shared<std::string>("no answer");
  in_actor(rt, client, [=](actor* self) {
    self->request(dest, caf::infinite, msg)
      .then([result](T& x) { *result = std::move(x); },
            [failure](caf::error& e) { *failure = describe(e); });
  });
  if (!*result)
    throw std::runtime_error("expected answer missing: " + *failure);
  return std::move(**result);
}

/// Internal message of `sleeper`: answer the request stored under `key`.
using wake_atom = caf::atom_constant<caf::atom("t_wake")>;

/// A worker that answers `int ms` with `ms` after `ms` milliseconds of
/// (manual) time, `0` at once, and a negative value with
/// `errc::not_found`. It counts the jobs it started in `*started`.
inline actor_factory sleeper(std::shared_ptr<int> started = nullptr) {
  return [started](actor* self) -> caf::behavior {
    auto pending
      = std::make_shared<std::map<uint64_t, caf::response_promise>>();
    auto next = std::make_shared<uint64_t>(0);
    return {
      [=](int ms) -> caf::result<int> {
        if (started)
          ++*started;
        if (ms < 0)
          return make_error(errc::not_found, "negative job");
        if (ms == 0)
          return 0;
        auto key = (*next)++;
        auto rp = self->make_response_promise();
        pending->emplace(key, rp);
        self->delayed_send(self, std::chrono::milliseconds{ms},
                           wake_atom::value, key, ms);
        return rp;
      },
      [=](wake_atom, uint64_t key, int ms) {
        auto i = pending->find(key);
        if (i != pending->end()) {
          i->second.deliver(ms);
          pending->erase(i);
        }
      },
    };
  };
}

} // namespace horae::test
