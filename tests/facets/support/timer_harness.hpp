// Test support: a manual-time runtime with the timers module, and an actor
// that records every timer_fired and runs code sent to it.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/send.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/facets/timer_service.hpp>
#include <horae/facets/timers_module.hpp>

namespace horae::test {

/// Runs `fn` inside the receiving actor.
struct run_in_actor {
  std::function<void(actor*)> fn;
};

} // namespace horae::test

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::test::run_in_actor)

namespace horae::test {

inline std::unique_ptr<runtime> timer_runtime(config cfg = {}) {
  cfg.manual_time = true;
  cfg.add_module(timers_module());
  auto rt = runtime::make(std::move(cfg));
  if (!rt)
    throw std::runtime_error(describe(rt.error()));
  return std::move(*rt);
}

/// What a recording actor saw.
struct recording {
  std::vector<timer_fired> fires;
  std::vector<std::string> payloads;
};

/// A behaviour factory that attaches a TimerFacet and records fires.
inline actor_factory recorder(std::shared_ptr<recording> rec,
                              size_t max_timers = 10'000) {
  return [rec, max_timers](actor* self) -> caf::behavior {
    self->attach<timer_facet>(max_timers);
    return {
      [rec](const timer_fired& x) { rec->fires.push_back(x); },
      [rec](const std::string& x) { rec->payloads.push_back(x); },
      [self](const run_in_actor& x) { x.fn(self); },
    };
  };
}

/// Sends `fn` to `dest` and runs the system until idle.
inline void in_actor(runtime& rt, const caf::actor& dest,
                     std::function<void(actor*)> fn) {
  caf::anon_send(dest, run_in_actor{std::move(fn)});
  rt.run_until_idle();
}

} // namespace horae::test
