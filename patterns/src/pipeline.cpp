// The pipeline actor: carries each item through the stage chain and answers
// in submission order through a reorder buffer.
#include <map>
#include <memory>

#include <caf/message_view.hpp>
#include <caf/response_promise.hpp>
#include <caf/scheduled_actor.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/detail/relay.hpp>
#include <horae/patterns/pipeline.hpp>

#include "pattern_metrics.hpp"

namespace horae {

namespace {

struct item {
  caf::response_promise rp;
  /// Set once the item left the pipeline (result or error).
  std::optional<caf::expected<caf::message>> result;
};

class pipeline_state : public std::enable_shared_from_this<pipeline_state> {
public:
  pipeline_state(actor* self, pipeline_options opts)
    : self_(self), opts_(std::move(opts)), metrics_(self->runtime().metrics()) {
    // nop
  }

  void start() {
    for (auto& f : opts_.stages)
      stages_.push_back(self_->runtime().spawn(f));
  }

  caf::response_promise accept(caf::message msg) {
    auto rp = self_->make_response_promise();
    if (closing_) {
      rp.deliver(make_error(errc::closed, "pipeline is closing"));
      return rp;
    }
    if (items_.size() >= opts_.max_in_flight) {
      ++stats_.rejected;
      metrics_.rejected.add();
      rp.deliver(make_error(errc::backpressure,
                            "pipeline holds " + std::to_string(items_.size())
                              + " items (max_in_flight)"));
      return rp;
    }
    ++stats_.accepted;
    auto seq = next_seq_++;
    items_.emplace(seq, item{rp, std::nullopt});
    metrics_.in_flight.set(items_.size());
    step(seq, 0, std::move(msg));
    return rp;
  }

  uint64_t cancel() {
    uint64_t n = 0;
    for (auto& [seq, it] : items_) {
      if (!it.result) {
        it.result = make_error(errc::cancelled, "pipeline item cancelled");
        ++stats_.cancelled;
        ++n;
      }
    }
    flush();
    return n;
  }

  caf::response_promise close() {
    auto rp = self_->make_response_promise();
    close_promises_.push_back(rp);
    closing_ = true;
    maybe_finish();
    return rp;
  }

  pipeline_stats stats() const {
    auto result = stats_;
    result.in_flight = items_.size();
    return result;
  }

private:
  void step(uint64_t seq, size_t stage, caf::message msg) {
    if (stage == stages_.size()) {
      finish(seq, std::move(msg));
      return;
    }
    auto weak = weak_from_this();
    detail::relay(self_, stages_[stage], std::move(msg), caf::infinite,
                  [weak, seq, stage](caf::expected<caf::message> res) {
                    auto st = weak.lock();
                    if (!st)
                      return;
                    auto i = st->items_.find(seq);
                    // Gone or cancelled: discard the late response.
                    if (i == st->items_.end() || i->second.result)
                      return;
                    if (res)
                      st->step(seq, stage + 1, std::move(*res));
                    else
                      st->finish(seq, std::move(res.error()));
                  });
  }

  void finish(uint64_t seq, caf::expected<caf::message> res) {
    auto i = items_.find(seq);
    if (i == items_.end())
      return;
    if (res)
      ++stats_.completed;
    else
      ++stats_.failed;
    i->second.result = std::move(res);
    flush();
  }

  // Answers finished items: all of them, or only the finished prefix of the
  // submission order when `ordered`.
  void flush() {
    for (auto i = items_.begin(); i != items_.end();) {
      if (!i->second.result) {
        if (opts_.ordered)
          break;
        ++i;
        continue;
      }
      auto& res = *i->second.result;
      if (res)
        i->second.rp.deliver(std::move(*res));
      else
        i->second.rp.deliver(std::move(res.error()));
      i = items_.erase(i);
    }
    metrics_.in_flight.set(items_.size());
    maybe_finish();
  }

  void maybe_finish() {
    if (!closing_ || finished_ || !items_.empty())
      return;
    finished_ = true;
    for (auto& rp : close_promises_)
      rp.deliver(stats());
    for (auto& s : stages_)
      self_->send_exit(s, caf::exit_reason::user_shutdown);
    self_->quit();
  }

  actor* self_;
  pipeline_options opts_;
  std::vector<caf::actor> stages_;
  /// Items by submission sequence number; ordered, so `begin()` is the
  /// oldest unanswered item.
  std::map<uint64_t, item> items_;
  std::vector<caf::response_promise> close_promises_;
  pipeline_stats stats_;
  detail::pipeline_metrics metrics_;
  uint64_t next_seq_ = 0;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace

caf::error validate(const pipeline_options& options) {
  if (options.stages.empty())
    return make_error(errc::invalid_argument,
                      "pipeline: at least one stage is required");
  for (size_t i = 0; i < options.stages.size(); ++i)
    if (!options.stages[i])
      return make_error(errc::invalid_argument, "pipeline: stage "
                                                  + std::to_string(i)
                                                  + " has no behaviour");
  if (options.max_in_flight == 0)
    return make_error(errc::invalid_argument,
                      "pipeline: max_in_flight must be at least 1");
  return caf::none;
}

caf::expected<caf::actor> spawn_pipeline(runtime& rt,
                                         pipeline_options options) {
  if (auto err = validate(options))
    return err;
  return rt.spawn([opts = std::move(options)](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    auto st = std::make_shared<pipeline_state>(self, opts);
    st->start();
    self->set_default_handler(
      [st](caf::scheduled_actor*,
           caf::message_view& x) -> caf::result<caf::message> {
        return st->accept(x.move_content_to_message());
      });
    return {
      [st](cancel_atom) { return st->cancel(); },
      [st](stats_atom) { return st->stats(); },
      [st](close_atom) { return st->close(); },
    };
  });
}

} // namespace horae
