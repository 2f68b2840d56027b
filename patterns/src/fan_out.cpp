// The fan-out/fan-in actor: spreads a batch's items over its workers
// round-robin and joins the answers, fail-fast on the first error.
#include <map>
#include <memory>

#include <caf/response_promise.hpp>
#include <caf/scheduled_actor.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/detail/relay.hpp>
#include <horae/patterns/fan_out.hpp>

namespace horae {

namespace {

struct batch {
  caf::response_promise rp;
  std::vector<caf::message> results;
  std::vector<uint64_t> index;
  size_t pending = 0;
};

class fan_out_state : public std::enable_shared_from_this<fan_out_state> {
public:
  fan_out_state(actor* self, fan_out_options opts)
    : self_(self), opts_(std::move(opts)) {
    // nop
  }

  void start() {
    for (size_t i = 0; i < opts_.workers; ++i)
      workers_.push_back(self_->runtime().spawn(opts_.worker));
  }

  caf::response_promise run(fan_out_batch& in) {
    auto rp = self_->make_response_promise();
    auto n = in.items.size();
    if (n == 0) {
      rp.deliver(fan_in_result{});
      return rp;
    }
    auto id = next_id_++;
    auto& b = batches_[id];
    b.rp = rp;
    b.pending = n;
    if (opts_.order == fan_in_order::preserve) {
      b.results.resize(n);
    }
    for (size_t pos = 0; pos < n; ++pos) {
      auto& worker = workers_[cursor_];
      cursor_ = (cursor_ + 1) % workers_.size();
      auto weak = weak_from_this();
      detail::relay(self_, worker, std::move(in.items[pos]), caf::infinite,
                    [weak, id, pos](caf::expected<caf::message> res) {
                      if (auto st = weak.lock())
                        st->on_result(id, pos, std::move(res));
                    });
    }
    return rp;
  }

  uint64_t cancel() {
    auto n = batches_.size();
    for (auto& [id, b] : batches_)
      b.rp.deliver(make_error(errc::cancelled, "fan-out batch cancelled"));
    batches_.clear();
    return n;
  }

private:
  void on_result(uint64_t id, size_t pos, caf::expected<caf::message> res) {
    auto i = batches_.find(id);
    if (i == batches_.end())
      return; // failed, cancelled or already answered
    auto& b = i->second;
    if (!res) {
      b.rp.deliver(std::move(res.error()));
      batches_.erase(i);
      return;
    }
    if (opts_.order == fan_in_order::preserve) {
      b.results[pos] = std::move(*res);
    } else {
      b.results.push_back(std::move(*res));
      b.index.push_back(pos);
    }
    if (--b.pending > 0)
      return;
    fan_in_result out;
    out.results = std::move(b.results);
    if (opts_.order == fan_in_order::preserve) {
      out.index.resize(out.results.size());
      for (size_t k = 0; k < out.index.size(); ++k)
        out.index[k] = k;
    } else {
      out.index = std::move(b.index);
    }
    b.rp.deliver(std::move(out));
    batches_.erase(i);
  }

  actor* self_;
  fan_out_options opts_;
  std::vector<caf::actor> workers_;
  std::map<uint64_t, batch> batches_;
  size_t cursor_ = 0;
  uint64_t next_id_ = 0;
};

} // namespace

caf::error validate(const fan_out_options& options) {
  if (options.workers == 0)
    return make_error(errc::invalid_argument,
                      "fan-out: workers must be at least 1");
  if (!options.worker)
    return make_error(errc::invalid_argument,
                      "fan-out: no worker behaviour given");
  return caf::none;
}

caf::expected<caf::actor> spawn_fan_out(runtime& rt, fan_out_options options) {
  if (auto err = validate(options))
    return err;
  return rt.spawn([opts = std::move(options)](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    auto st = std::make_shared<fan_out_state>(self, opts);
    st->start();
    return {
      [st](fan_out_batch& in) { return st->run(in); },
      [st](cancel_atom) { return st->cancel(); },
    };
  });
}

} // namespace horae
