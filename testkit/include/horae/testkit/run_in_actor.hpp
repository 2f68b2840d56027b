// Running test code inside an actor, on the actor's own thread and between
// its messages, as a behaviour would: the `runner_facet` takes `run_in_actor`
// messages out of the mailbox and runs them.
#pragma once

#include <functional>

#include <caf/allowed_unsafe_message_type.hpp>

#include <horae/core/facet.hpp>
#include <horae/core/message_filter.hpp>

namespace horae::testkit {

/// Code to run inside the receiving actor.
struct run_in_actor {
  std::function<void(actor&)> fn;
};

/// Runs every `run_in_actor` the actor receives and keeps it from the
/// behaviour. Attach it in the behaviour factory
/// (`self->attach<testkit::runner_facet>()`) or list the facet "test-runner"
/// (declared by `testkit::testkit_module()`) for a virtual actor type.
class runner_facet final : public facet {
public:
  /// Name in config files and `actor_type_options::facets`.
  static constexpr std::string_view facet_name = "test-runner";

  std::string_view name() const noexcept override {
    return facet_name;
  }

  message_filter intercepts() const override {
    return message_filter::only<run_in_actor>();
  }

  intercept before_message(actor& self,
                           const caf::type_erased_tuple& content) override;
};

} // namespace horae::testkit

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(horae::testkit::run_in_actor)
