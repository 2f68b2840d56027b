// One message on its way to a virtual actor on whichever node owns it, with
// the bookkeeping of its attempts. Whatever happens to it, its callback runs
// exactly once: a delivery dropped unfinished reports `closed`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_control_block.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>

#include <horae/cluster/transport/router.hpp>

namespace horae::cluster::detail {

/// A message for (type, key) and its caller's callback.
struct delivery {
  // -- constructors, destructors, and assignment operators --------------------

  delivery(std::string type, std::string key, uint32_t partition,
           caf::strong_actor_ptr sender, caf::message content,
           delivery_callback done);

  /// Reports `closed` unless `finish` ran: the router stopped first.
  ~delivery();

  delivery(const delivery&) = delete;
  delivery& operator=(const delivery&) = delete;

  // -- modifiers --------------------------------------------------------------

  /// Reports `err` (no error: delivered) to the caller, once.
  void finish(const caf::error& err);

  // -- member variables -------------------------------------------------------

  std::string type;
  std::string key;
  uint32_t partition;
  /// Who sent it (may be null); it travels along, so replies reach it.
  caf::strong_actor_ptr sender;
  caf::message content;

  /// How many times the owner was looked up and the message sent.
  uint32_t attempts = 0;

  /// After this, no further attempt starts.
  std::chrono::steady_clock::time_point deadline;

  /// Why the latest attempt did not succeed; the final error quotes it.
  caf::error last_cause;

private:
  delivery_callback done_;
};

} // namespace horae::cluster::detail

// Travels only from the router's API to its own actor, never over the wire.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<horae::cluster::detail::delivery>)
