// The token-bucket actor: periodic refill on the TimerFacet, FIFO waiters
// with optional deadlines.
#include <deque>
#include <memory>

#include <caf/response_promise.hpp>
#include <caf/scheduled_actor.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/rate_limiter.hpp>

#include "internal_atoms.hpp"
#include "pattern_metrics.hpp"

namespace horae {

namespace {

constexpr const char* refill_timer = "refill";

struct waiter {
  uint64_t id;
  caf::response_promise rp;
  bool has_deadline;
};

class limiter_state {
public:
  limiter_state(actor* self, rate_limiter_options opts)
    : self_(self), opts_(opts), tokens_(opts.burst),
      metrics_(self->runtime().metrics()) {
    // nop
  }

  caf::error start() {
    return timers(self_).start_periodic(refill_timer, opts_.refill_interval);
  }

  bool try_acquire(uint64_t n) {
    // Waiters come first: a try must not overtake someone already waiting.
    if (waiters_.empty() && n <= tokens_) {
      tokens_ -= n;
      stats_.granted += n;
      return true;
    }
    ++stats_.denied;
    metrics_.denied.add();
    return false;
  }

  caf::response_promise acquire(std::optional<clock::duration> max_wait) {
    auto rp = self_->make_response_promise();
    if (waiters_.empty() && tokens_ > 0) {
      --tokens_;
      ++stats_.granted;
      rp.deliver(tokens_);
      return rp;
    }
    if (waiters_.size() >= opts_.max_waiters) {
      ++stats_.rejected;
      metrics_.rejected.add();
      rp.deliver(
        make_error(errc::backpressure, "rate limiter has "
                                         + std::to_string(waiters_.size())
                                         + " waiters (max_waiters)"));
      return rp;
    }
    auto id = next_id_++;
    if (max_wait) {
      auto err = timers(self_).start_once(
        wait_timer(id), *max_wait,
        caf::make_message(detail::deadline_atom::value, id));
      if (err) {
        rp.deliver(std::move(err));
        return rp;
      }
    }
    waiters_.push_back(waiter{id, rp, max_wait.has_value()});
    metrics_.waiting.set(waiters_.size());
    return rp;
  }

  void on_refill(const timer_fired& t) {
    if (t.name != refill_timer)
      return;
    auto ticks = 1 + t.coalesced;
    auto room = opts_.burst - tokens_;
    // Saturate instead of overflowing after a very long stall.
    tokens_ += std::min<uint64_t>(room, ticks * opts_.tokens_per_refill);
    while (!waiters_.empty() && tokens_ > 0) {
      auto w = std::move(waiters_.front());
      waiters_.pop_front();
      --tokens_;
      ++stats_.granted;
      if (w.has_deadline)
        timers(self_).cancel(wait_timer(w.id));
      w.rp.deliver(tokens_);
    }
    metrics_.waiting.set(waiters_.size());
  }

  void on_deadline(uint64_t id) {
    for (auto i = waiters_.begin(); i != waiters_.end(); ++i) {
      if (i->id == id) {
        ++stats_.timed_out;
        i->rp.deliver(
          make_error(errc::timeout, "no token became available in time"));
        waiters_.erase(i);
        metrics_.waiting.set(waiters_.size());
        return;
      }
    }
  }

  rate_limiter_stats stats() const {
    auto result = stats_;
    result.tokens = tokens_;
    result.waiting = waiters_.size();
    return result;
  }

private:
  static std::string wait_timer(uint64_t id) {
    return "wait/" + std::to_string(id);
  }

  actor* self_;
  rate_limiter_options opts_;
  uint64_t tokens_;
  std::deque<waiter> waiters_;
  rate_limiter_stats stats_;
  detail::rate_limiter_metrics metrics_;
  uint64_t next_id_ = 0;
};

} // namespace

caf::error validate(const rate_limiter_options& options) {
  if (options.burst == 0)
    return make_error(errc::invalid_argument,
                      "rate limiter: burst must be at least 1");
  if (options.tokens_per_refill == 0)
    return make_error(errc::invalid_argument,
                      "rate limiter: tokens_per_refill (the rate) must be at "
                      "least 1");
  if (options.refill_interval <= clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "rate limiter: refill_interval must be positive");
  return caf::none;
}

caf::expected<caf::actor> spawn_rate_limiter(runtime& rt,
                                             rate_limiter_options options) {
  if (auto err = validate(options))
    return err;
  return rt.spawn([options](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    // One refill timer plus one deadline per waiter.
    self->attach<timer_facet>(options.max_waiters + 2);
    auto st = std::make_shared<limiter_state>(self, options);
    if (auto err = st->start()) {
      // The refill interval is below the timer resolution or similar: the
      // limiter would never refill, so it refuses to run.
      self->quit(std::move(err));
      return {};
    }
    return {
      [st](try_acquire_atom) { return st->try_acquire(1); },
      [st](try_acquire_atom, uint64_t n) { return st->try_acquire(n); },
      [st](acquire_atom) { return st->acquire(std::nullopt); },
      [st](acquire_atom, caf::timespan max_wait) {
        return st->acquire(
          std::chrono::duration_cast<clock::duration>(max_wait));
      },
      [st](const timer_fired& t) { st->on_refill(t); },
      [st](detail::deadline_atom, uint64_t id) { st->on_deadline(id); },
      [st](stats_atom) { return st->stats(); },
    };
  });
}

} // namespace horae
