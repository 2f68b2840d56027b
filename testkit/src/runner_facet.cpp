// The runner facet: test code that arrives as a message runs in place of it.
#include <horae/core/actor.hpp>
#include <horae/testkit/run_in_actor.hpp>

namespace horae::testkit {

intercept runner_facet::before_message(actor& self,
                                       const caf::type_erased_tuple& content) {
  if (content.size() == 1 && content.match_element<run_in_actor>(0)) {
    const auto& job = content.get_as<run_in_actor>(0);
    if (job.fn)
      job.fn(self);
    // Test code is not activity: it must not keep a virtual actor alive.
    return intercept::drop().passive();
  }
  return intercept::proceed();
}

} // namespace horae::testkit
