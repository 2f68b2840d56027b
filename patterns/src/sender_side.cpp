// Replies, deferred sends and the mailbox-less handle of the pattern actors
// that act in the sender's context.
#include "sender_side.hpp"

#include <caf/downstream_msg.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>
#include <caf/system_messages.hpp>
#include <caf/type_nr.hpp>
#include <caf/upstream_msg.hpp>

namespace horae::detail {

caf::strong_actor_ptr reply_route::address(caf::mailbox_element& x) {
  if (!stages_.empty()) {
    // A forwarding chain: the request moves on to its next stage.
    auto next = std::move(stages_.back());
    stages_.pop_back();
    x.sender = std::move(sender_);
    x.stages = std::move(stages_);
    x.mid = id_;
    return next;
  }
  x.stages.clear();
  x.mid = id_.response_id();
  return std::move(sender_);
}

void outbox::add(caf::strong_actor_ptr dest, caf::mailbox_element_ptr x) {
  if (!dest)
    return;
  if (size_ < first_.size())
    first_[size_++] = entry{std::move(dest), std::move(x)};
  else
    rest_.emplace_back(std::move(dest), std::move(x));
}

void outbox::reply(reply_route& route, caf::strong_actor_ptr self,
                   caf::message content) {
  auto x = caf::make_mailbox_element(std::move(self), caf::message_id{}, {},
                                     std::move(content));
  auto dest = route.address(*x);
  add(std::move(dest), std::move(x));
}

void outbox::flush(caf::execution_unit* eu) {
  for (size_t i = 0; i < size_; ++i) {
    auto [dest, x] = std::move(first_[i]);
    dest->enqueue(std::move(x), eu);
  }
  size_ = 0;
  for (auto& [dest, x] : rest_)
    dest->enqueue(std::move(x), eu);
  rest_.clear();
}

void sender_side_actor::on_destroy() {
  // As caf::actor_pool: a handle dropped without a stop still tells its
  // monitors.
  if (!getf(is_cleaned_up_flag)) {
    cleanup(caf::exit_reason::unreachable, nullptr);
    monitorable_actor::on_destroy();
  }
}

bool is_system_message(const caf::type_erased_tuple& msg) noexcept {
  if (msg.empty())
    return false;
  // Decided on the first element's type number: matching each kind of
  // system message in turn cost more than a whole job.
  switch (msg.type_nr(0)) {
    case caf::type_nr<caf::atom_value>::value:
      return msg.get_as<caf::atom_value>(0) == caf::sys_atom::value;
    case caf::type_nr<caf::exit_msg>::value:
    case caf::type_nr<caf::down_msg>::value:
    case caf::type_nr<caf::error>::value:
    case caf::type_nr<caf::timeout_msg>::value:
    case caf::type_nr<caf::open_stream_msg>::value:
    case caf::type_nr<caf::upstream_msg>::value:
    case caf::type_nr<caf::downstream_msg>::value:
      return msg.size() == 1;
    default:
      return false;
  }
}

bool starts_with_atom(const caf::type_erased_tuple& msg) noexcept {
  return !msg.empty() && msg.type_nr(0) == caf::type_nr<caf::atom_value>::value;
}

} // namespace horae::detail
