// The worker pool's dispatcher: admission (bound + policy), FIFO dispatch to
// idle workers, per-job deadlines on the TimerFacet, cancellation and drain.
#include <deque>
#include <unordered_map>
#include <vector>

#include <caf/response_promise.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/detail/relay.hpp>
#include <horae/patterns/worker_pool.hpp>

#include "internal_atoms.hpp"
#include "pattern_metrics.hpp"

namespace horae {

namespace {

struct queued_job {
  uint64_t id;
  uint64_t tag;
  caf::message content;
  caf::response_promise rp;
};

struct running_job {
  size_t worker;
  caf::response_promise rp;
  /// The requester already got an answer (the deadline passed); the
  /// worker's late response is discarded.
  bool answered = false;
};

struct worker_slot {
  caf::actor handle;
  bool busy = false;
};

class pool_state : public std::enable_shared_from_this<pool_state> {
public:
  pool_state(actor* self, worker_pool_options opts)
    : self_(self), opts_(std::move(opts)), metrics_(self->runtime().metrics()) {
    // nop
  }

  // -- setup ------------------------------------------------------------------

  void start() {
    workers_.resize(opts_.workers);
    for (size_t i = 0; i < workers_.size(); ++i)
      spawn_worker(i);
    self_->set_down_handler([weak = weak_from_this()](caf::down_msg& dm) {
      if (auto st = weak.lock())
        st->on_down(dm);
    });
  }

  // -- intake -----------------------------------------------------------------

  caf::response_promise accept(uint64_t tag, caf::message content) {
    auto rp = self_->make_response_promise();
    if (closing_) {
      ++stats_.refused_closed;
      rp.deliver(make_error(errc::closed, "worker pool is closing"));
      return rp;
    }
    if (queue_.size() >= opts_.capacity) {
      if (opts_.overflow == overflow_policy::reject) {
        ++stats_.rejected;
        metrics_.rejected.add();
        rp.deliver(make_error(errc::backpressure,
                              "worker pool queue is full ("
                                + std::to_string(opts_.capacity) + " jobs)"));
        return rp;
      }
      held_.push_back(queued_job{0, tag, std::move(content), rp});
      report_levels();
      return rp;
    }
    admit(tag, std::move(content), rp);
    dispatch();
    report_levels();
    return rp;
  }

  // -- control ----------------------------------------------------------------

  uint64_t cancel(bool by_tag, uint64_t tag) {
    uint64_t n = 0;
    for (auto i = queue_.begin(); i != queue_.end();) {
      if (!by_tag || i->tag == tag) {
        cancel_deadline(i->id);
        i->rp.deliver(
          make_error(errc::cancelled, "job cancelled while queued"));
        ++stats_.cancelled;
        ++n;
        i = queue_.erase(i);
      } else {
        ++i;
      }
    }
    // Cancelling made room: held jobs move up as if the jobs had run.
    admit_held();
    dispatch();
    report_levels();
    maybe_finish();
    return n;
  }

  caf::response_promise close() {
    auto rp = self_->make_response_promise();
    close_promises_.push_back(rp);
    if (!closing_) {
      closing_ = true;
      for (auto& h : held_) {
        ++stats_.refused_closed;
        h.rp.deliver(make_error(errc::closed,
                                "worker pool closed before the job was "
                                "accepted"));
      }
      held_.clear();
      report_levels();
    }
    maybe_finish();
    return rp;
  }

  void on_deadline(uint64_t id) {
    for (auto i = queue_.begin(); i != queue_.end(); ++i) {
      if (i->id == id) {
        ++stats_.timed_out;
        metrics_.timed_out.add();
        i->rp.deliver(timeout_error("waiting for a worker"));
        queue_.erase(i);
        admit_held();
        report_levels();
        maybe_finish();
        return;
      }
    }
    auto r = running_.find(id);
    if (r != running_.end() && !r->second.answered) {
      ++stats_.timed_out;
      metrics_.timed_out.add();
      r->second.answered = true;
      r->second.rp.deliver(timeout_error("running on a worker"));
      maybe_finish();
    }
  }

  worker_pool_stats stats() const {
    auto result = stats_;
    result.queued = queue_.size();
    result.held = held_.size();
    result.busy = 0;
    for (auto& w : workers_)
      result.busy += w.busy ? 1 : 0;
    return result;
  }

private:
  // -- helpers ----------------------------------------------------------------

  /// Cancels job `id`'s deadline; without a job timeout there is none.
  void cancel_deadline(uint64_t id) {
    if (opts_.job_timeout > clock::duration::zero())
      timers(self_).cancel(timer_name(id));
  }

  static std::string timer_name(uint64_t id) {
    return "job/" + std::to_string(id);
  }

  caf::error timeout_error(const char* where) const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      opts_.job_timeout);
    return make_error(errc::timeout, std::string{"job exceeded its "}
                                       + std::to_string(ms.count())
                                       + " ms deadline while " + where);
  }

  void spawn_worker(size_t index) {
    auto handle = self_->runtime().spawn(opts_.worker);
    self_->monitor(handle);
    workers_[index].handle = std::move(handle);
    workers_[index].busy = false;
  }

  /// Mirrors the queue depths into the runtime's gauges.
  void report_levels() {
    metrics_.queued.set(queue_.size());
    metrics_.held.set(held_.size());
  }

  void admit(uint64_t tag, caf::message content, caf::response_promise rp) {
    auto id = next_id_++;
    ++stats_.accepted;
    if (opts_.job_timeout > clock::duration::zero()) {
      auto payload = caf::make_message(detail::deadline_atom::value, id);
      if (auto err = timers(self_).start_once(timer_name(id), opts_.job_timeout,
                                              std::move(payload))) {
        // Only reachable if the timer service is gone; fail loudly rather
        // than silently run the job without its deadline.
        rp.deliver(std::move(err));
        return;
      }
    }
    queue_.push_back(queued_job{id, tag, std::move(content), std::move(rp)});
  }

  void admit_held() {
    while (!held_.empty() && queue_.size() < opts_.capacity) {
      auto h = std::move(held_.front());
      held_.pop_front();
      admit(h.tag, std::move(h.content), std::move(h.rp));
    }
  }

  void dispatch() {
    for (size_t i = 0; i < workers_.size() && !queue_.empty(); ++i) {
      auto& w = workers_[i];
      if (w.busy)
        continue;
      auto job = std::move(queue_.front());
      queue_.pop_front();
      w.busy = true;
      running_.emplace(job.id, running_job{i, std::move(job.rp), false});
      auto id = job.id;
      auto weak = weak_from_this();
      detail::relay(self_, w.handle, std::move(job.content), caf::infinite,
                    [weak, id](caf::expected<caf::message> res) {
                      if (auto st = weak.lock())
                        st->on_result(id, std::move(res));
                    });
    }
  }

  void on_result(uint64_t id, caf::expected<caf::message> res) {
    auto r = running_.find(id);
    if (r == running_.end())
      return;
    auto job = std::move(r->second);
    running_.erase(r);
    cancel_deadline(id);
    if (!job.answered) {
      if (res) {
        ++stats_.completed;
        job.rp.deliver(std::move(*res));
      } else {
        ++stats_.failed;
        job.rp.deliver(std::move(res.error()));
      }
    }
    if (job.worker < workers_.size())
      workers_[job.worker].busy = false;
    admit_held();
    dispatch();
    report_levels();
    maybe_finish();
  }

  void on_down(const caf::down_msg& dm) {
    if (closing_ && finished_)
      return;
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (workers_[i].handle.address() == dm.source) {
        // Its job (if any) is answered through the relay's error; keep the
        // pool at its fixed size.
        spawn_worker(i);
        dispatch();
        report_levels();
        return;
      }
    }
  }

  void maybe_finish() {
    if (!closing_ || finished_ || !queue_.empty())
      return;
    for (auto& [id, job] : running_)
      if (!job.answered)
        return;
    finished_ = true;
    auto final_stats = stats();
    for (auto& rp : close_promises_)
      rp.deliver(final_stats);
    close_promises_.clear();
    for (auto& w : workers_) {
      self_->demonitor(w.handle);
      self_->send_exit(w.handle, caf::exit_reason::user_shutdown);
    }
    timers(self_).cancel_all();
    self_->quit();
  }

  actor* self_;
  worker_pool_options opts_;
  std::vector<worker_slot> workers_;
  std::deque<queued_job> queue_;
  std::deque<queued_job> held_;
  std::unordered_map<uint64_t, running_job> running_;
  std::vector<caf::response_promise> close_promises_;
  worker_pool_stats stats_;
  detail::worker_pool_metrics metrics_;
  uint64_t next_id_ = 1;
  bool closing_ = false;
  bool finished_ = false;
};

} // namespace

caf::error validate(const worker_pool_options& options) {
  if (options.workers == 0)
    return make_error(errc::invalid_argument,
                      "worker pool: workers must be at least 1");
  if (options.capacity == 0)
    return make_error(errc::invalid_argument,
                      "worker pool: capacity must be at least 1 (use "
                      "overflow_policy::hold to make senders wait)");
  if (options.job_timeout < clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "worker pool: job_timeout must not be negative");
  if (!options.worker)
    return make_error(errc::invalid_argument,
                      "worker pool: no worker behaviour given");
  return caf::none;
}

caf::expected<caf::actor> spawn_worker_pool(runtime& rt,
                                            worker_pool_options options) {
  if (auto err = validate(options))
    return err;
  return rt.spawn([opts = std::move(options)](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    // One timer per queued or running job at most.
    self->attach<timer_facet>(opts.capacity + opts.workers + 16);
    auto st = std::make_shared<pool_state>(self, opts);
    st->start();
    self->set_default_handler(
      [st](caf::scheduled_actor*,
           caf::message_view& x) -> caf::result<caf::message> {
        return st->accept(0, x.move_content_to_message());
      });
    return {
      [st](tagged_job& job) {
        return st->accept(job.tag, std::move(job.content));
      },
      [st](cancel_atom) { return st->cancel(false, 0); },
      [st](cancel_atom, uint64_t tag) { return st->cancel(true, tag); },
      [st](stats_atom) { return st->stats(); },
      [st](close_atom) { return st->close(); },
      [st](detail::deadline_atom, uint64_t id) { st->on_deadline(id); },
    };
  });
}

} // namespace horae
