// The broadcaster: per-subscriber in-flight window and buffer, the
// slow-subscriber policies and their counters.
#include <deque>
#include <memory>
#include <vector>

#include <caf/message_view.hpp>
#include <caf/scheduled_actor.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/patterns/broadcast.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/detail/relay.hpp>

#include "pattern_metrics.hpp"

namespace horae {

namespace {

struct subscriber {
  caf::actor handle;
  std::deque<caf::message> buffer;
  subscriber_stats stats;
};

class broadcast_state : public std::enable_shared_from_this<broadcast_state> {
public:
  broadcast_state(actor* self, broadcast_options opts)
    : self_(self), opts_(opts), metrics_(self->runtime().metrics()) {
    opts_.max_in_flight = std::min(opts_.max_in_flight, opts_.bound);
  }

  void start() {
    self_->set_down_handler([weak = weak_from_this()](caf::down_msg& dm) {
      if (auto st = weak.lock())
        st->remove(caf::actor_cast<caf::actor>(dm.source), false);
    });
  }

  // -- membership -------------------------------------------------------------

  bool add(const caf::actor& who) {
    if (!who || find(who) != subs_.end())
      return false;
    self_->monitor(who);
    auto sub = std::make_shared<subscriber>();
    sub->handle = who;
    sub->stats.subscribed = true;
    subs_.push_back(std::move(sub));
    return true;
  }

  bool remove(const caf::actor& who, bool demonitor) {
    auto i = find(who);
    if (i == subs_.end())
      return false;
    if (demonitor)
      self_->demonitor(who);
    (*i)->stats.subscribed = false;
    stats_.discarded += (*i)->buffer.size();
    metrics_.buffered.add(-static_cast<int64_t>((*i)->buffer.size()));
    (*i)->buffer.clear();
    subs_.erase(i);
    return true;
  }

  // -- publishing -------------------------------------------------------------

  uint64_t publish(const caf::message& msg) {
    ++stats_.published;
    uint64_t reached = 0;
    // Iterate over a copy: the unsubscribe policy removes entries.
    auto current = subs_;
    for (auto& sub : current) {
      auto undelivered = sub->stats.in_flight + sub->buffer.size();
      if (sub->stats.in_flight < opts_.max_in_flight) {
        send(sub, msg);
        ++reached;
      } else if (undelivered < opts_.bound) {
        sub->buffer.push_back(msg);
        metrics_.buffered.add(1);
        ++reached;
      } else {
        switch (opts_.policy) {
          case slow_subscriber_policy::drop_newest:
            ++stats_.dropped_newest;
            ++sub->stats.dropped;
            metrics_.dropped.add();
            break;
          case slow_subscriber_policy::drop_oldest:
            if (sub->buffer.empty()) {
              // Everything is in flight (max_in_flight == bound): the only
              // message we can still drop is the new one.
              ++stats_.dropped_newest;
            } else {
              sub->buffer.pop_front();
              sub->buffer.push_back(msg);
              ++stats_.dropped_oldest;
              ++reached;
            }
            ++sub->stats.dropped;
            metrics_.dropped.add();
            break;
          case slow_subscriber_policy::unsubscribe:
            ++stats_.evicted;
            metrics_.evicted.add();
            remove(sub->handle, true);
            break;
        }
      }
    }
    return reached;
  }

  // -- observers --------------------------------------------------------------

  broadcast_stats stats() const {
    auto result = stats_;
    result.subscribers = subs_.size();
    return result;
  }

  subscriber_stats stats_of(const caf::actor& who) const {
    auto i = find(who);
    if (i == subs_.end())
      return subscriber_stats{};
    auto result = (*i)->stats;
    result.buffered = (*i)->buffer.size();
    return result;
  }

private:
  using sub_ptr = std::shared_ptr<subscriber>;

  std::vector<sub_ptr>::const_iterator find(const caf::actor& who) const {
    return std::find_if(subs_.begin(), subs_.end(),
                        [&](const sub_ptr& s) { return s->handle == who; });
  }

  std::vector<sub_ptr>::iterator find(const caf::actor& who) {
    return std::find_if(subs_.begin(), subs_.end(),
                        [&](const sub_ptr& s) { return s->handle == who; });
  }

  void send(const sub_ptr& sub, caf::message msg) {
    ++sub->stats.in_flight;
    auto weak = weak_from_this();
    detail::relay(self_, sub->handle, std::move(msg), caf::infinite,
                  [weak, sub](const caf::expected<caf::message>& res) {
                    if (auto st = weak.lock())
                      st->on_ack(sub, res.engaged());
                  });
  }

  void on_ack(const sub_ptr& sub, bool ok) {
    --sub->stats.in_flight;
    if (ok) {
      ++sub->stats.delivered;
      ++stats_.delivered;
    } else {
      ++stats_.discarded;
    }
    if (!sub->stats.subscribed || sub->buffer.empty())
      return;
    auto next = std::move(sub->buffer.front());
    sub->buffer.pop_front();
    metrics_.buffered.add(-1);
    send(sub, std::move(next));
  }

  actor* self_;
  broadcast_options opts_;
  std::vector<sub_ptr> subs_;
  broadcast_stats stats_;
  detail::broadcast_metrics metrics_;
};

} // namespace

caf::error validate(const broadcast_options& options) {
  if (options.bound == 0)
    return make_error(errc::invalid_argument,
                      "broadcast: bound must be at least 1");
  if (options.max_in_flight == 0)
    return make_error(errc::invalid_argument,
                      "broadcast: max_in_flight must be at least 1");
  return caf::none;
}

caf::expected<caf::actor> spawn_broadcast(runtime& rt,
                                          broadcast_options options) {
  if (auto err = validate(options))
    return err;
  return rt.spawn([options](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    auto st = std::make_shared<broadcast_state>(self, options);
    st->start();
    self->set_default_handler(
      [st, self](caf::scheduled_actor*,
                 caf::message_view& x) -> caf::result<caf::message> {
        auto reached = st->publish(x.move_content_to_message());
        // Answer only requests: a plain `send` must not get a reply.
        if (self->current_message_id().is_request())
          return caf::make_message(reached);
        return caf::delegated<caf::message>{};
      });
    auto sender
      = [self] { return caf::actor_cast<caf::actor>(self->current_sender()); };
    return {
      [st, sender](subscribe_atom) { return st->add(sender()); },
      [st](subscribe_atom, const caf::actor& who) { return st->add(who); },
      [st, sender](unsubscribe_atom) { return st->remove(sender(), true); },
      [st](unsubscribe_atom, const caf::actor& who) {
        return st->remove(who, true);
      },
      [st](stats_atom) { return st->stats(); },
      [st](stats_atom, const caf::actor& who) { return st->stats_of(who); },
    };
  });
}

} // namespace horae
