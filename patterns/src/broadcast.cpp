// The broadcaster. A published message fans out in the publisher's context
// (as a CAF group does) under per-subscriber credit: at most
// `max_in_flight` deliveries are outstanding, the rest wait in the
// subscriber's buffer under the slow-subscriber policy. Each delivery is a
// request whose sender is the subscriber's "tap", a mailbox-less actor: the
// subscriber's answer runs the tap in the subscriber's own context, which
// returns the credit and sends the next buffered message straight away, so
// no acknowledgement travels through a mailbox of the broadcaster.
#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include <caf/default_attachable.hpp>
#include <caf/system_messages.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/patterns/broadcast.hpp>

#include "pattern_metrics.hpp"
#include "sender_side.hpp"

namespace horae {

namespace {

/// What acknowledgements move besides their subscriber's own state: the
/// buffered gauge, and the counts of subscribers that already left.
struct ack_totals {
  explicit ack_totals(gauge& buffered_gauge) : buffered(buffered_gauge) {
    // nop
  }

  gauge& buffered;
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> discarded{0};
};

/// One subscriber; its own lock, so that acknowledgements of different
/// subscribers never wait for each other or for the broadcaster.
struct subscriber {
  detail::spinlock mtx;
  caf::actor handle;
  caf::strong_actor_ptr tap;
  std::deque<caf::message> buffer;
  subscriber_stats stats;
  /// Deliveries that bounced while subscribed.
  uint64_t discarded = 0;
  std::shared_ptr<ack_totals> totals;

  /// A delivery of `msg` to this subscriber.
  caf::mailbox_element_ptr delivery(const caf::message& msg) const {
    // The tap counts answers, not ids: every delivery may share one.
    return caf::make_mailbox_element(tap, caf::make_message_id(1), {}, msg);
  }

  /// The subscriber answered a delivery (`ok`) or it bounced: the credit
  /// comes back and the next buffered message goes out.
  void on_ack(bool ok, caf::execution_unit* eu);
};

void subscriber::on_ack(bool ok, caf::execution_unit* eu) {
  caf::mailbox_element_ptr next;
  {
    std::unique_lock<detail::spinlock> guard{mtx};
    --stats.in_flight;
    if (!stats.subscribed) {
      // Gone from the broadcaster's list: the totals keep the count.
      (ok ? totals->delivered : totals->discarded)
        .fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (ok)
      ++stats.delivered;
    else
      ++discarded;
    if (buffer.empty())
      return;
    ++stats.in_flight;
    next = delivery(buffer.front());
    buffer.pop_front();
    totals->buffered.add(-1);
  }
  handle->enqueue(std::move(next), eu);
}

using sub_ptr = std::shared_ptr<subscriber>;

class broadcast_core {
public:
  using lock_type = std::unique_lock<detail::spinlock>;

  broadcast_core(runtime& rt, broadcast_options opts)
    : rt_(rt), opts_(opts), metrics_(rt.metrics()),
      totals_(std::make_shared<ack_totals>(metrics_.buffered)) {
    opts_.max_in_flight = std::min(opts_.max_in_flight, opts_.bound);
  }

  broadcast_core(const broadcast_core&) = delete;

  broadcast_core& operator=(const broadcast_core&) = delete;

  ~broadcast_core() {
    // Takes this broadcaster's part of the gauge back, and lets go of the
    // taps: a tap holds its subscriber, which would otherwise hold the tap
    // (and the subscriber's actor) forever.
    int64_t level = 0;
    for (auto& sub : subs_) {
      lock_type guard{sub->mtx};
      level += static_cast<int64_t>(sub->buffer.size());
      sub->tap = nullptr;
    }
    metrics_.buffered.add(-level);
  }

  // -- membership -------------------------------------------------------------

  bool add(const caf::actor& who, const caf::actor_addr& observer);

  bool remove(const caf::actor& who, const caf::actor_addr& observer) {
    lock_type guard{mtx_};
    return remove_locked(who, observer);
  }

  /// Removes every subscriber: the broadcaster ends.
  void clear(const caf::actor_addr& observer) {
    lock_type guard{mtx_};
    while (!subs_.empty()) {
      auto who = subs_.back()->handle;
      remove_locked(who, observer);
    }
  }

  // -- publishing -------------------------------------------------------------

  uint64_t publish(const caf::message& msg, caf::execution_unit* eu) {
    detail::outbox out;
    uint64_t reached = 0;
    {
      lock_type guard{mtx_};
      ++stats_.published;
      std::vector<caf::actor> evict;
      for (auto& sub : subs_) {
        lock_type sub_guard{sub->mtx};
        auto& st = sub->stats;
        auto undelivered = st.in_flight + sub->buffer.size();
        if (st.in_flight < opts_.max_in_flight) {
          ++st.in_flight;
          out.add(caf::actor_cast<caf::strong_actor_ptr>(sub->handle),
                  sub->delivery(msg));
          ++reached;
        } else if (undelivered < opts_.bound) {
          sub->buffer.push_back(msg);
          metrics_.buffered.add(1);
          ++reached;
        } else {
          switch (opts_.policy) {
            case slow_subscriber_policy::drop_newest:
              ++stats_.dropped_newest;
              ++st.dropped;
              metrics_.dropped.add();
              break;
            case slow_subscriber_policy::drop_oldest:
              if (sub->buffer.empty()) {
                // Everything is in flight (max_in_flight == bound): the
                // only message we can still drop is the new one.
                ++stats_.dropped_newest;
              } else {
                sub->buffer.pop_front();
                sub->buffer.push_back(msg);
                ++stats_.dropped_oldest;
                ++reached;
              }
              ++st.dropped;
              metrics_.dropped.add();
              break;
            case slow_subscriber_policy::unsubscribe:
              ++stats_.evicted;
              metrics_.evicted.add();
              evict.push_back(sub->handle);
              break;
          }
        }
      }
      for (auto& who : evict)
        remove_locked(who, observer_);
    }
    out.flush(eu);
    return reached;
  }

  /// Remembers the handle's address: it observes the subscribers.
  void set_observer(caf::actor_addr observer) {
    lock_type guard{mtx_};
    observer_ = std::move(observer);
  }

  // -- observers --------------------------------------------------------------

  broadcast_stats stats() {
    lock_type guard{mtx_};
    auto result = stats_;
    result.subscribers = subs_.size();
    result.delivered += totals_->delivered.load();
    result.discarded += totals_->discarded.load();
    for (auto& sub : subs_) {
      std::unique_lock<detail::spinlock> sub_guard{sub->mtx};
      result.delivered += sub->stats.delivered;
      result.discarded += sub->discarded;
    }
    return result;
  }

  subscriber_stats stats_of(const caf::actor& who) {
    lock_type guard{mtx_};
    auto i = find(who);
    if (i == subs_.end())
      return subscriber_stats{};
    lock_type sub_guard{(*i)->mtx};
    auto result = (*i)->stats;
    result.buffered = (*i)->buffer.size();
    return result;
  }

private:
  std::vector<sub_ptr>::iterator find(const caf::actor& who) {
    return std::find_if(subs_.begin(), subs_.end(),
                        [&](const sub_ptr& s) { return s->handle == who; });
  }

  bool remove_locked(const caf::actor& who, const caf::actor_addr& observer) {
    auto i = find(who);
    if (i == subs_.end())
      return false;
    if (observer) {
      caf::default_attachable::observe_token tk{
        observer, caf::default_attachable::monitor};
      caf::actor_cast<caf::abstract_actor*>(who)->detach(
        {caf::default_attachable::observe_token::token_type, &tk});
    }
    auto& sub = **i;
    lock_type sub_guard{sub.mtx};
    sub.stats.subscribed = false;
    // Its counts move to the broadcaster's; answers still in flight go to
    // the totals.
    stats_.delivered += sub.stats.delivered;
    stats_.discarded += sub.discarded + sub.buffer.size();
    metrics_.buffered.add(-static_cast<int64_t>(sub.buffer.size()));
    sub.buffer.clear();
    // The tap holds the subscriber: only deliveries in flight keep it now.
    sub.tap = nullptr;
    sub_guard.unlock();
    subs_.erase(i);
    return true;
  }

  runtime& rt_;
  broadcast_options opts_;
  detail::broadcast_metrics metrics_;
  detail::spinlock mtx_;
  caf::actor_addr observer_;
  std::vector<sub_ptr> subs_;
  /// Counts of the subscribers that left while they were in the list.
  broadcast_stats stats_;
  std::shared_ptr<ack_totals> totals_;
};

/// Sees one subscriber's answers to its deliveries.
class delivery_tap final : public detail::sender_side_actor {
public:
  delivery_tap(caf::actor_config& cfg, sub_ptr sub)
    : sender_side_actor(cfg), sub_(std::move(sub)) {
    // nop
  }

  void enqueue(caf::mailbox_element_ptr x, caf::execution_unit* eu) override {
    if (x->mid.is_response())
      sub_->on_ack(!x->content().match_elements<caf::error>(), eu);
  }

  const char* name() const override {
    return "horae.broadcast.tap";
  }

private:
  /// Kept alive by the deliveries in flight, which name the tap as sender:
  /// an answer after the subscriber left still counts.
  sub_ptr sub_;
};

bool broadcast_core::add(const caf::actor& who,
                         const caf::actor_addr& observer) {
  {
    lock_type guard{mtx_};
    if (!who || find(who) != subs_.end())
      return false;
    auto sub = std::make_shared<subscriber>();
    sub->handle = who;
    sub->stats.subscribed = true;
    sub->totals = totals_;
    sub->tap = detail::make_sender_side<delivery_tap>(rt_.system(), sub);
    subs_.push_back(std::move(sub));
  }
  // Unlocked: monitoring an actor that is already gone sends the down
  // message at once, and handling it takes the lock.
  caf::actor_cast<caf::abstract_actor*>(who)->attach(
    caf::default_attachable::make_monitor(who.address(), observer));
  return true;
}

/// The handle users hold: runs every message in the sender's context.
class broadcast_handle final : public detail::sender_side_actor {
public:
  broadcast_handle(caf::actor_config& cfg, std::shared_ptr<broadcast_core> core)
    : sender_side_actor(cfg), core_(std::move(core)) {
    // nop
  }

  void enqueue(caf::mailbox_element_ptr x, caf::execution_unit* eu) override {
    if (stopped_.load() || x->mid.is_response())
      return;
    auto& msg = x->content();
    if (detail::is_system_message(msg)) {
      on_system_message(msg);
      return;
    }
    if (!detail::starts_with_atom(msg)) {
      publish(*x, eu);
      return;
    }
    auto sender = [&] { return caf::actor_cast<caf::actor>(x->sender); };
    if (msg.match_elements<subscribe_atom>()) {
      answer(*x, core_->add(sender(), address()), eu);
    } else if (msg.match_elements<subscribe_atom, caf::actor>()) {
      answer(*x, core_->add(msg.get_as<caf::actor>(1), address()), eu);
    } else if (msg.match_elements<unsubscribe_atom>()) {
      answer(*x, core_->remove(sender(), address()), eu);
    } else if (msg.match_elements<unsubscribe_atom, caf::actor>()) {
      answer(*x, core_->remove(msg.get_as<caf::actor>(1), address()), eu);
    } else if (msg.match_elements<stats_atom>()) {
      answer(*x, core_->stats(), eu);
    } else if (msg.match_elements<stats_atom, caf::actor>()) {
      answer(*x, core_->stats_of(msg.get_as<caf::actor>(1)), eu);
    } else {
      publish(*x, eu);
    }
  }

  const char* name() const override {
    return "horae.broadcast";
  }

private:
  void publish(caf::mailbox_element& x, caf::execution_unit* eu) {
    auto reached = core_->publish(x.copy_content_to_message(), eu);
    // Answer only requests: a plain `send` must not get a reply.
    if (x.mid.is_request())
      answer(x, reached, eu);
  }

  /// A subscriber ended, or the handle is told to end; CAF's other system
  /// messages mean nothing here.
  void on_system_message(const caf::type_erased_tuple& msg) {
    if (msg.match_elements<caf::down_msg>()) {
      auto& dm = msg.get_as<caf::down_msg>(0);
      core_->remove(caf::actor_cast<caf::actor>(dm.source), nullptr);
    } else if (msg.match_elements<caf::exit_msg>()) {
      const auto& reason = msg.get_as<caf::exit_msg>(0).reason;
      if (reason) {
        stopped_ = true;
        // Its buffers leave the gauge with it, whoever still holds the
        // handle.
        core_->clear(address());
        stop(reason);
      }
    }
  }

  std::shared_ptr<broadcast_core> core_;
  std::atomic<bool> stopped_{false};
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
  auto core = std::make_shared<broadcast_core>(rt, options);
  auto handle = detail::make_sender_side<broadcast_handle>(rt.system(), core);
  core->set_observer(handle->address());
  return caf::actor_cast<caf::actor>(handle);
}

} // namespace horae
