// A testkit runtime with reminders whose "billing" actors record every fire
// in a probe: the set-up of the reminder tests written with the testkit.
#pragma once

#include <memory>

#include <horae/testkit/probe.hpp>
#include <horae/testkit/test_runtime.hpp>

namespace horae::test {

/// @returns a manual-time runtime with a reminder store and the actor type
///          "billing", recorded by `p`.
inline std::unique_ptr<testkit::test_runtime>
billing_runtime(std::shared_ptr<testkit::probe> p) {
  testkit::test_runtime_options opts;
  opts.reminders = true;
  opts.setup = [p = std::move(p)](runtime& rt) {
    return rt.define("billing", p->recorder(true));
  };
  return std::make_unique<testkit::test_runtime>(std::move(opts));
}

} // namespace horae::test
