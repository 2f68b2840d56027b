// Type-agnostic request forwarding used by every pattern actor.
#include <caf/sec.hpp>

#include <horae/patterns/detail/relay.hpp>

namespace horae::detail {

namespace {

// A type no receiver ever answers with: every real response therefore takes
// the unexpected-response path, which carries the content.
struct never_answered {};

} // namespace

void relay(caf::event_based_actor* self, const caf::actor& dest,
           caf::message msg, caf::duration timeout, relay_callback done) {
  // Only the error path runs, so only it holds the callback: no shared
  // allocation per relayed message.
  self->request(dest, timeout, std::move(msg))
    .then(
      [](const std::vector<never_answered>&) {
        // Unreachable: no receiver produces this type.
      },
      [done = std::move(done)](caf::error& err) {
        if (err == caf::sec::unexpected_response) {
          done(err.context());
          return;
        }
        done(std::move(err));
      });
}

} // namespace horae::detail
