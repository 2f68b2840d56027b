// Store ownership, completion routing and the dispatcher's lifecycle.
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/timer_service.hpp>

#include "reminders/reminder_dispatcher.hpp"
#include "reminders/reminder_messages.hpp"
#include <spdlog/spdlog.h>

namespace horae {

reminder_service::reminder_service(runtime& rt,
                                   std::unique_ptr<reminder_store> store,
                                   reminder_service_config cfg)
  : runtime_(&rt), store_(std::move(store)), config_(std::move(cfg)),
    manual_(rt.clock().is_manual()) {
  // nop
}

reminder_service::~reminder_service() {
  stop();
}

std::string_view reminder_service::name() const noexcept {
  return "reminder_service";
}

void reminder_service::start() {
  auto timers = runtime_->find_service<timer_service>();
  if (timers == nullptr || dispatcher_)
    return;
  auto state = std::make_shared<detail::reminder_dispatcher>(*this, *timers);
  dispatcher_ = runtime_->spawn(
    [state](actor* self) { return state->make_behavior(self); });
  // Fires that found their actor type undefined go out once it is defined.
  caf::weak_actor_ptr weak = caf::actor_cast<caf::weak_actor_ptr>(dispatcher_);
  runtime_->registry().on_define([weak](const std::string& type) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<caf::actor>(strong),
                     detail::type_defined{type});
  });
  logging::logger("reminders")
    ->info("reminder service started on {}", config_.db_path);
}

void reminder_service::quiesce() {
  if (!store_)
    return;
  if (manual_) {
    poll();
    return;
  }
  auto target = issued_.load();
  std::unique_lock<std::mutex> guard{mtx_};
  drain_target_ = target;
  // Writes take one fsync each batch; the bound covers a locked database
  // (busy timeout) and only guards against a wedged disk.
  auto bound = config_.busy_timeout + std::chrono::seconds{30};
  if (!cv_.wait_for(guard, bound, [&] { return finished_ >= target; }))
    logging::logger("reminders")
      ->warn("{} reminder write(s) still pending after {} s at shutdown",
             target - finished_.load(),
             std::chrono::duration_cast<std::chrono::seconds>(bound).count());
}

void reminder_service::stop() {
  if (!store_)
    return;
  // Closing flushes queued writes; their completions still run.
  store_->close();
  if (manual_)
    poll();
  dispatcher_ = nullptr;
}

size_t reminder_service::poll() {
  if (!manual_)
    return 0;
  std::vector<std::function<void()>> ready;
  {
    std::unique_lock<std::mutex> guard{mtx_};
    // Writes take one fsync; the bound only guards against a wedged disk.
    cv_.wait_for(guard, std::chrono::seconds{30},
                 [this] { return finished_ == issued_; });
    ready.swap(completed_);
  }
  for (auto& fn : ready)
    fn();
  return ready.size();
}

void reminder_service::begin_operation() {
  ++issued_;
}

void reminder_service::complete(std::function<void()> fn) {
  if (!manual_) {
    fn();
    // Only a draining shutdown waits; everyone else skips the lock. The
    // waiter re-checks the count under the lock, so taking it before the
    // notification cannot lose the wake-up.
    if (++finished_ >= drain_target_) {
      std::lock_guard<std::mutex> guard{mtx_};
      cv_.notify_all();
    }
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  completed_.push_back(std::move(fn));
  ++finished_;
  cv_.notify_all();
}

void reminder_service::upsert(reminder_record rec, bool overwrite,
                              std::function<void(caf::error)> done) {
  begin_operation();
  // The handle is taken now: `stop` resets the member, and completions may
  // run on the store's thread.
  store_->upsert_async(
    std::move(rec), overwrite,
    [this, dispatcher = dispatcher_,
     done = std::move(done)](caf::expected<reminder_record> result) {
      complete([dispatcher, done, result = std::move(result)]() mutable {
        if (!result) {
          done(std::move(result.error()));
          return;
        }
        caf::anon_send(dispatcher,
                       detail::reminder_changed{std::move(*result)});
        done(caf::error{});
      });
    });
}

void reminder_service::remove(reminder_key key,
                              std::function<void(caf::error)> done) {
  begin_operation();
  store_->remove_async(key, [this, dispatcher = dispatcher_, key,
                             done = std::move(done)](caf::error err) {
    complete([dispatcher, key, done, err = std::move(err)]() mutable {
      if (!err)
        caf::anon_send(dispatcher, detail::reminder_removed{key});
      done(std::move(err));
    });
  });
}

void reminder_service::record_fire(
  reminder_key key, uint64_t revision, uint64_t fire_count,
  std::optional<clock::wall_time> next_due,
  reminder_store::fire_outcome outcome,
  std::function<void(caf::expected<bool>)> done) {
  begin_operation();
  store_->record_fire_async(
    std::move(key), revision, fire_count, next_due, outcome,
    [this, done = std::move(done)](caf::expected<bool> applied) {
      complete([done, applied = std::move(applied)]() mutable {
        done(std::move(applied));
      });
    });
}

} // namespace horae
