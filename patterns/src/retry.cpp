// The retry actor: one attempt at a time per request, backoff timers on the
// TimerFacet, final error passed back unchanged.
#include <unordered_map>

#include <caf/message_view.hpp>
#include <caf/response_promise.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/detail/relay.hpp>
#include <horae/patterns/retry.hpp>

#include "internal_atoms.hpp"
#include "pattern_metrics.hpp"

namespace horae {

namespace {

struct attempt_state {
  caf::message content;
  caf::response_promise rp;
  /// Attempts made so far.
  uint32_t made = 0;
};

class retry_state : public std::enable_shared_from_this<retry_state> {
public:
  retry_state(actor* self, retry_options opts)
    : self_(self), opts_(std::move(opts)), backoff_(opts_.backoff),
      metrics_(self->runtime().metrics()) {
    // nop
  }

  caf::response_promise accept(caf::message msg) {
    auto rp = self_->make_response_promise();
    ++stats_.requests;
    auto id = next_id_++;
    requests_.emplace(id, attempt_state{std::move(msg), rp, 0});
    attempt(id);
    return rp;
  }

  void on_backoff(uint64_t id) {
    --stats_.backing_off;
    metrics_.backing_off.add(-1);
    attempt(id);
  }

  retry_stats stats() const {
    return stats_;
  }

private:
  void attempt(uint64_t id) {
    auto i = requests_.find(id);
    if (i == requests_.end())
      return;
    ++i->second.made;
    ++stats_.attempts;
    auto weak = weak_from_this();
    auto timeout = opts_.attempt_timeout > clock::duration::zero()
                     ? caf::duration{opts_.attempt_timeout}
                     : caf::infinite;
    detail::relay(self_, opts_.target, i->second.content, timeout,
                  [weak, id](caf::expected<caf::message> res) {
                    if (auto st = weak.lock())
                      st->on_result(id, std::move(res));
                  });
  }

  void on_result(uint64_t id, caf::expected<caf::message> res) {
    auto i = requests_.find(id);
    if (i == requests_.end())
      return;
    auto& req = i->second;
    if (res) {
      ++stats_.succeeded;
      req.rp.deliver(std::move(*res));
      requests_.erase(i);
      return;
    }
    auto err = std::move(res.error());
    if (err == caf::sec::request_timeout)
      err = make_error(errc::timeout, "attempt " + std::to_string(req.made)
                                        + " exceeded attempt_timeout");
    auto worth = !opts_.retry_if || opts_.retry_if(err);
    if (req.made >= opts_.max_attempts || !worth) {
      ++stats_.gave_up;
      metrics_.gave_up.add();
      req.rp.deliver(std::move(err));
      requests_.erase(i);
      return;
    }
    auto delay = backoff_.next(req.made - 1);
    ++stats_.backing_off;
    metrics_.backing_off.add(1);
    auto fail = timers(self_).start_once(
      "retry/" + std::to_string(id), delay,
      caf::make_message(detail::backoff_atom::value, id));
    if (fail) {
      --stats_.backing_off;
      metrics_.backing_off.add(-1);
      ++stats_.gave_up;
      metrics_.gave_up.add();
      req.rp.deliver(std::move(fail));
      requests_.erase(i);
    }
  }

  actor* self_;
  retry_options opts_;
  backoff backoff_;
  std::unordered_map<uint64_t, attempt_state> requests_;
  retry_stats stats_;
  detail::retry_metrics metrics_;
  uint64_t next_id_ = 0;
};

} // namespace

caf::error validate(const retry_options& options) {
  if (!options.target)
    return make_error(errc::invalid_argument, "retry: no target actor given");
  if (options.max_attempts == 0)
    return make_error(errc::invalid_argument,
                      "retry: max_attempts must be at least 1");
  if (options.attempt_timeout < clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "retry: attempt_timeout must not be negative");
  return validate(options.backoff);
}

caf::expected<caf::actor> spawn_retry(runtime& rt, retry_options options) {
  if (auto err = validate(options))
    return err;
  return rt.spawn([opts = std::move(options)](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    self->attach<timer_facet>();
    auto st = std::make_shared<retry_state>(self, opts);
    self->set_default_handler(
      [st](caf::scheduled_actor*,
           caf::message_view& x) -> caf::result<caf::message> {
        return st->accept(x.move_content_to_message());
      });
    return {
      [st](detail::backoff_atom, uint64_t id) { st->on_backoff(id); },
      [st](stats_atom) { return st->stats(); },
    };
  });
}

} // namespace horae
