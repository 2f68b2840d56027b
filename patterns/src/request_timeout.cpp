// request_with_timeout: CAF request/then with a single callback and horae's
// timeout error.
#include <chrono>

#include <caf/sec.hpp>

#include <horae/core/error.hpp>
#include <horae/patterns/request_timeout.hpp>

namespace horae {

caf::error request_with_timeout(caf::event_based_actor* self,
                                const caf::actor& dest, clock::duration timeout,
                                caf::message msg, response_callback done) {
  if (timeout <= clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "request_with_timeout: timeout must be positive");
  if (!dest)
    return make_error(errc::invalid_argument,
                      "request_with_timeout: invalid destination");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  detail::relay(
    self, dest, std::move(msg), caf::duration{timeout},
    [done = std::move(done), ms](caf::expected<caf::message> res) {
      if (!res && res.error() == caf::sec::request_timeout) {
        done(make_error(errc::timeout, "no response within "
                                         + std::to_string(ms.count()) + " ms"));
        return;
      }
      done(std::move(res));
    });
  return caf::none;
}

bool is_timeout(const caf::error& err) noexcept {
  return err == caf::sec::request_timeout || code_of(err) == errc::timeout;
}

} // namespace horae
