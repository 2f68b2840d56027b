// The worker pool. Jobs are admitted and dispatched in the sender's context
// (like caf::actor_pool) and a worker answers its requester without a hop
// through the pool: each job reaches its worker with a per-worker "tap" as
// sender, a mailbox-less actor that sees the answer, forwards it, frees the
// worker and hands it the next queued job, all in the worker's context.
// Admission, the queue and the counters sit behind one mutex. A horae actor
// beside the handle keeps what needs an actor: the earliest job deadline on
// the TimerFacet (deadlines grow in acceptance order, so one timer serves
// them all), the monitors that replace dead workers, and the final quit.
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include <caf/default_attachable.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>

#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/patterns/detail/pattern_actor.hpp>
#include <horae/patterns/worker_pool.hpp>

#include "internal_atoms.hpp"
#include "pattern_metrics.hpp"
#include "sender_side.hpp"

namespace horae {

namespace {

/// A job on its way to a worker: the requester's own message, whose
/// sender, stages and id route the answer.
struct queued_job {
  uint64_t id;
  uint64_t tag;
  clock::time_point deadline;
  caf::mailbox_element_ptr msg;
};

struct worker_slot {
  caf::actor worker;
  caf::strong_actor_ptr tap;
  /// Tells a replaced worker's late answers from the new worker's.
  uint64_t generation = 0;
  bool busy = false;
  /// The worker's mailbox bounced a job: it is gone, and no job goes to it
  /// until its down message brings the replacement.
  bool dead = false;
  // The running job.
  uint64_t job = 0;
  clock::time_point deadline;
  detail::reply_route route;
  /// The requester already has its answer (the deadline passed); the
  /// worker's late answer is discarded.
  bool answered = false;
};

class pool_core {
public:
  using lock_type = std::unique_lock<detail::spinlock>;

  pool_core(runtime& rt, worker_pool_options opts)
    : rt_(rt), opts_(std::move(opts)), metrics_(rt.metrics()) {
    // nop
  }

  // -- setup ------------------------------------------------------------------

  /// Spawns the workers, monitored by `pool` (the actor beside the handle).
  void start(caf::actor pool, const std::shared_ptr<pool_core>& self) {
    lock_type guard{mtx_};
    pool_ = std::move(pool);
    self_ = self;
    slots_.resize(opts_.workers);
    for (size_t i = 0; i < slots_.size(); ++i)
      spawn_worker(i);
  }

  // -- intake (sender's context) ----------------------------------------------

  void submit(caf::mailbox_element_ptr x, uint64_t tag,
              caf::execution_unit* eu) {
    detail::outbox out;
    {
      lock_type guard{mtx_};
      if (closing_) {
        ++stats_.refused_closed;
        reply_error(*x, out,
                    make_error(errc::closed, "worker pool is closing"));
      } else if (queue_.size() >= opts_.capacity) {
        if (opts_.overflow == overflow_policy::reject) {
          ++stats_.rejected;
          metrics_.rejected.add();
          reply_error(
            *x, out,
            make_error(errc::backpressure, "worker pool queue is full ("
                                             + std::to_string(opts_.capacity)
                                             + " jobs)"));
        } else {
          held_.push_back(queued_job{0, tag, {}, std::move(x)});
          report_levels();
        }
      } else if (queue_.empty() && !idle_.empty()) {
        // The common case: straight to an idle worker.
        ++stats_.accepted;
        run(queued_job{next_id_++, tag, deadline_of_new_job(out), std::move(x)},
            out);
      } else {
        admit(tag, std::move(x), out);
        dispatch(out);
        report_levels();
      }
    }
    out.flush(eu);
  }

  // -- control (sender's context) ---------------------------------------------

  uint64_t cancel(bool by_tag, uint64_t tag, caf::execution_unit* eu) {
    detail::outbox out;
    uint64_t n = 0;
    {
      lock_type guard{mtx_};
      for (auto i = queue_.begin(); i != queue_.end();) {
        if (!by_tag || i->tag == tag) {
          reply_error(
            *i->msg, out,
            make_error(errc::cancelled, "job cancelled while queued"));
          ++stats_.cancelled;
          ++n;
          i = queue_.erase(i);
        } else {
          ++i;
        }
      }
      // Cancelling made room: held jobs move up as if the jobs had run.
      admit_held(out);
      dispatch(out);
      report_levels();
      maybe_finish(out);
    }
    out.flush(eu);
    return n;
  }

  void close(caf::mailbox_element& x, caf::execution_unit* eu) {
    detail::outbox out;
    {
      lock_type guard{mtx_};
      close_routes_.emplace_back(x);
      if (!closing_) {
        closing_ = true;
        for (auto& h : held_) {
          ++stats_.refused_closed;
          reply_error(*h.msg, out,
                      make_error(errc::closed, "worker pool closed before the "
                                               "job was accepted"));
        }
        held_.clear();
        report_levels();
      }
      maybe_finish(out);
    }
    out.flush(eu);
  }

  worker_pool_stats stats() {
    lock_type guard{mtx_};
    auto result = stats_;
    result.queued = queue_.size();
    result.held = held_.size();
    for (auto& w : slots_)
      result.busy += w.busy ? 1 : 0;
    return result;
  }

  // -- answers (the worker's context, through its tap) ------------------------

  void on_answer(size_t index, uint64_t generation, caf::mailbox_element_ptr x,
                 caf::execution_unit* eu) {
    detail::outbox out;
    {
      lock_type guard{mtx_};
      if (index >= slots_.size())
        return;
      auto& w = slots_[index];
      if (w.generation != generation || !w.busy || w.dead
          || x->mid.request_id() != w.route.id().request_id())
        return;
      auto& content = x->content();
      auto failed = content.match_elements<caf::error>();
      if (failed
          && content.get_as<caf::error>(0) == caf::sec::request_receiver_down)
        w.dead = true;
      if (!w.answered) {
        if (failed)
          ++stats_.failed;
        else
          ++stats_.completed;
        auto dest = w.route.address(*x);
        out.add(std::move(dest), std::move(x));
      }
      if (!w.dead)
        release(index, out);
    }
    out.flush(eu);
  }

  // -- the pool actor's part --------------------------------------------------

  /// Answers every job past its deadline with `errc::timeout`.
  /// @returns the delay until the next deadline, if any job has one.
  std::optional<clock::duration> expire(caf::execution_unit* eu) {
    detail::outbox out;
    std::optional<clock::duration> next;
    {
      lock_type guard{mtx_};
      auto now = rt_.clock().now();
      // Deadlines grow in acceptance order: the queue is sorted by them.
      while (!queue_.empty() && queue_.front().deadline <= now) {
        time_out(*queue_.front().msg, out, "waiting for a worker");
        queue_.pop_front();
      }
      for (auto& w : slots_) {
        if (w.busy && !w.answered && w.deadline <= now) {
          time_out(w.route, out, "running on a worker");
          w.answered = true;
        }
      }
      admit_held(out);
      report_levels();
      maybe_finish(out);
      auto earliest = clock::time_point::max();
      if (!queue_.empty())
        earliest = queue_.front().deadline;
      for (auto& w : slots_)
        if (w.busy && !w.answered)
          earliest = std::min(earliest, w.deadline);
      deadline_armed_ = earliest != clock::time_point::max();
      if (deadline_armed_)
        next = earliest - now;
    }
    out.flush(eu);
    return next;
  }

  /// A worker died: its running job fails and a new worker takes its place.
  void on_down(const caf::down_msg& dm, caf::execution_unit* eu) {
    detail::outbox out;
    {
      lock_type guard{mtx_};
      for (size_t i = 0; i < slots_.size(); ++i) {
        auto& w = slots_[i];
        if (w.worker.address() != dm.source)
          continue;
        if (w.busy && !w.answered) {
          ++stats_.failed;
          out.reply(w.route, pool_ctrl(),
                    caf::make_message(
                      caf::make_error(caf::sec::request_receiver_down)));
        }
        w.busy = false;
        w.answered = true;
        if (finished_)
          return;
        spawn_worker(i);
        dispatch(out);
        report_levels();
        maybe_finish(out);
        break;
      }
    }
    out.flush(eu);
  }

  /// The pool actor ended (closed or killed): nothing is accepted anymore,
  /// and jobs still waiting bounce as CAF bounces a dead actor's mailbox.
  void on_exit() {
    detail::outbox out;
    {
      lock_type guard{mtx_};
      closing_ = true;
      finished_ = true;
      for (auto* jobs : {&queue_, &held_}) {
        for (auto& job : *jobs)
          reply_error(*job.msg, out,
                      caf::make_error(caf::sec::request_receiver_down));
        jobs->clear();
      }
      report_levels();
      // The pool actor and the taps hold this core: no cycle outlives it.
      pool_ = nullptr;
      for (auto& w : slots_)
        w.tap = nullptr;
    }
    out.flush(nullptr);
  }

  /// @returns the workers, to stop them when the pool quits.
  std::vector<caf::actor> workers() {
    lock_type guard{mtx_};
    std::vector<caf::actor> result;
    for (auto& w : slots_)
      result.push_back(w.worker);
    return result;
  }

private:
  // -- helpers ----------------------------------------------------------------

  caf::strong_actor_ptr pool_ctrl() const {
    return caf::actor_cast<caf::strong_actor_ptr>(pool_);
  }

  void reply_error(caf::mailbox_element& x, detail::outbox& out,
                   caf::error err) {
    detail::reply_route route{x};
    out.reply(route, pool_ctrl(), caf::make_message(std::move(err)));
  }

  template <class Target>
  void time_out(Target& target, detail::outbox& out, const char* where) {
    ++stats_.timed_out;
    metrics_.timed_out.add();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      opts_.job_timeout);
    auto err = make_error(errc::timeout, std::string{"job exceeded its "}
                                           + std::to_string(ms.count())
                                           + " ms deadline while " + where);
    if constexpr (std::is_same_v<Target, caf::mailbox_element>) {
      reply_error(target, out, std::move(err));
    } else {
      out.reply(target, pool_ctrl(), caf::make_message(std::move(err)));
    }
  }

  void spawn_worker(size_t index);

  /// Mirrors the queue depths into the runtime's gauges.
  void report_levels() {
    metrics_.queued.set(queue_.size());
    metrics_.held.set(held_.size());
  }

  /// @returns the deadline of a job accepted now.
  clock::time_point deadline_of_new_job(detail::outbox& out) {
    if (opts_.job_timeout <= clock::duration::zero())
      return clock::time_point::max();
    if (!deadline_armed_) {
      // The pool actor arms its timer for the earliest deadline.
      deadline_armed_ = true;
      out.add(pool_ctrl(),
              caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                        detail::deadline_atom::value));
    }
    return rt_.clock().now() + opts_.job_timeout;
  }

  void admit(uint64_t tag, caf::mailbox_element_ptr x, detail::outbox& out) {
    ++stats_.accepted;
    auto deadline = deadline_of_new_job(out);
    queue_.push_back(queued_job{next_id_++, tag, deadline, std::move(x)});
  }

  void admit_held(detail::outbox& out) {
    while (!held_.empty() && queue_.size() < opts_.capacity) {
      auto h = std::move(held_.front());
      held_.pop_front();
      admit(h.tag, std::move(h.msg), out);
    }
  }

  /// Hands queued jobs to idle workers, oldest first.
  void dispatch(detail::outbox& out) {
    while (!queue_.empty() && !idle_.empty()) {
      auto job = std::move(queue_.front());
      queue_.pop_front();
      run(std::move(job), out);
    }
  }

  /// Hands `job` to an idle worker. @pre `!idle_.empty()`
  void run(queued_job job, detail::outbox& out) {
    auto index = idle_.back();
    idle_.pop_back();
    auto& w = slots_[index];
    w.busy = true;
    w.answered = false;
    w.job = job.id;
    w.deadline = job.deadline;
    w.route = detail::reply_route{*job.msg};
    job.msg->sender = w.tap;
    job.msg->mid = w.route.id();
    out.add(caf::actor_cast<caf::strong_actor_ptr>(w.worker),
            std::move(job.msg));
  }

  void release(size_t index, detail::outbox& out) {
    slots_[index].busy = false;
    idle_.push_back(index);
    admit_held(out);
    dispatch(out);
    report_levels();
    maybe_finish(out);
  }

  void maybe_finish(detail::outbox& out) {
    if (!closing_ || finished_ || !queue_.empty())
      return;
    for (auto& w : slots_)
      if (w.busy && !w.answered)
        return;
    finished_ = true;
    auto final_stats = stats_;
    final_stats.held = 0;
    for (auto& w : slots_)
      final_stats.busy += w.busy ? 1 : 0;
    for (auto& route : close_routes_)
      out.reply(route, pool_ctrl(), caf::make_message(final_stats));
    close_routes_.clear();
    out.add(pool_ctrl(),
            caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                      close_atom::value));
  }

  runtime& rt_;
  worker_pool_options opts_;
  detail::worker_pool_metrics metrics_;
  std::weak_ptr<pool_core> self_;
  caf::actor pool_;
  detail::spinlock mtx_;
  std::vector<worker_slot> slots_;
  /// Indexes of idle slots, used last in, first out.
  std::vector<size_t> idle_;
  std::deque<queued_job> queue_;
  std::deque<queued_job> held_;
  std::vector<detail::reply_route> close_routes_;
  worker_pool_stats stats_;
  uint64_t next_id_ = 1;
  bool closing_ = false;
  bool finished_ = false;
  bool deadline_armed_ = false;
};

/// Sees a worker's answers to the jobs it got from the pool.
class job_tap final : public detail::sender_side_actor {
public:
  job_tap(caf::actor_config& cfg, std::shared_ptr<pool_core> core, size_t index,
          uint64_t generation)
    : sender_side_actor(cfg), core_(std::move(core)), index_(index),
      generation_(generation) {
    // nop
  }

  void enqueue(caf::mailbox_element_ptr x, caf::execution_unit* eu) override {
    if (!x->mid.is_response())
      return;
    core_->on_answer(index_, generation_, std::move(x), eu);
  }

  const char* name() const override {
    return "horae.worker_pool.tap";
  }

private:
  /// Holding the core keeps answers off its reference count; the core
  /// drops its taps when the pool ends, which breaks the cycle.
  std::shared_ptr<pool_core> core_;
  size_t index_;
  uint64_t generation_;
};

void pool_core::spawn_worker(size_t index) {
  auto& w = slots_[index];
  w.worker = rt_.spawn(opts_.worker);
  auto observed = caf::actor_cast<caf::abstract_actor*>(w.worker);
  observed->attach(
    caf::default_attachable::make_monitor(w.worker.address(), pool_.address()));
  ++w.generation;
  w.tap = detail::make_sender_side<job_tap>(rt_.system(), self_.lock(), index,
                                            w.generation);
  w.busy = false;
  w.dead = false;
  idle_.push_back(index);
}

/// The handle users hold: runs every message in the sender's context.
class pool_handle final : public detail::sender_side_actor {
public:
  pool_handle(caf::actor_config& cfg, std::shared_ptr<pool_core> core,
              caf::actor pool)
    : sender_side_actor(cfg), core_(std::move(core)), pool_(std::move(pool)) {
    // nop
  }

  void enqueue(caf::mailbox_element_ptr x, caf::execution_unit* eu) override {
    auto& msg = x->content();
    if (x->mid.is_response() || detail::is_system_message(msg)) {
      // Exit and the like concern the pool actor, whose end ends the handle.
      pool_->enqueue(std::move(x), eu);
    } else if (!detail::starts_with_atom(msg)) {
      if (msg.match_elements<tagged_job>())
        submit_tagged(std::move(x), eu);
      else
        core_->submit(std::move(x), 0, eu);
    } else if (msg.match_elements<cancel_atom>()) {
      answer(*x, core_->cancel(false, 0, eu), eu);
    } else if (msg.match_elements<cancel_atom, uint64_t>()) {
      answer(*x, core_->cancel(true, msg.get_as<uint64_t>(1), eu), eu);
    } else if (msg.match_elements<stats_atom>()) {
      answer(*x, core_->stats(), eu);
    } else if (msg.match_elements<close_atom>()) {
      core_->close(*x, eu);
    } else {
      core_->submit(std::move(x), 0, eu);
    }
  }

  const char* name() const override {
    return "horae.worker_pool";
  }

private:
  /// The worker gets the tagged job's content as if it had been sent alone.
  void submit_tagged(caf::mailbox_element_ptr x, caf::execution_unit* eu) {
    auto& job = x->content().get_as<tagged_job>(0);
    auto tag = job.tag;
    auto content = job.content;
    x = caf::make_mailbox_element(std::move(x->sender), x->mid,
                                  std::move(x->stages), std::move(content));
    core_->submit(std::move(x), tag, eu);
  }

  std::shared_ptr<pool_core> core_;
  caf::actor pool_;
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
  auto core = std::make_shared<pool_core>(rt, std::move(options));
  auto pool = rt.spawn([core](actor* self) -> caf::behavior {
    detail::survive_bounced_answers(self);
    // One timer: the earliest deadline.
    self->attach<timer_facet>(16);
    self->set_down_handler(
      [core, self](caf::down_msg& dm) { core->on_down(dm, self->context()); });
    self->attach_functor([core] { core->on_exit(); });
    return {
      [core, self](detail::deadline_atom) {
        if (auto next = core->expire(self->context()))
          if (auto err = timers(self).start_once(
                "deadline", *next,
                caf::make_message(detail::deadline_atom::value)))
            // Only reachable if the timer service is gone.
            self->quit(std::move(err));
      },
      [core, self](close_atom) {
        for (auto& w : core->workers())
          self->send_exit(w, caf::exit_reason::user_shutdown);
        timers(self).cancel_all();
        self->quit();
      },
    };
  });
  core->start(pool, core);
  auto handle = detail::make_sender_side<pool_handle>(rt.system(), core, pool);
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(handle);
  caf::actor_cast<caf::abstract_actor*>(pool)->attach_functor(
    [weak](const caf::error& reason) {
      if (auto strong = weak.lock())
        static_cast<pool_handle*>(caf::actor_cast<caf::abstract_actor*>(strong))
          ->stop(reason);
    });
  return caf::actor_cast<caf::actor>(handle);
}

} // namespace horae
