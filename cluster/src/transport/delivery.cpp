// Exactly-once reporting of a delivery's outcome.
#include "transport/delivery.hpp"

#include <utility>

#include <horae/core/error.hpp>

namespace horae::cluster::detail {

delivery::delivery(std::string type, std::string key, uint32_t partition,
                   caf::strong_actor_ptr sender, caf::message content,
                   delivery_callback done)
  : type(std::move(type)), key(std::move(key)), partition(partition),
    sender(std::move(sender)), content(std::move(content)),
    done_(std::move(done)) {
  // nop
}

delivery::~delivery() {
  finish(make_error(errc::closed, "the cluster router stopped before the "
                                  "message to "
                                    + type + "/" + key + " was delivered"));
}

void delivery::finish(const caf::error& err) {
  if (!done_)
    return;
  auto done = std::move(done_);
  done_ = nullptr;
  done(err);
}

} // namespace horae::cluster::detail
