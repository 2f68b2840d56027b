// Store ownership, completion routing and the dispatcher's lifecycle.
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/timer_service.hpp>

#include "reminders/reminder_dispatcher.hpp"
#include "reminders/reminder_messages.hpp"
#include "reminders/write_tracker.hpp"
#include <spdlog/spdlog.h>

namespace horae {

reminder_service::reminder_service(runtime& rt,
                                   std::unique_ptr<reminder_store> store,
                                   reminder_service_config cfg)
  : runtime_(&rt), store_(std::move(store)), config_(std::move(cfg)),
    writes_(std::make_unique<detail::write_tracker>(rt.clock().is_manual())),
    counters_(std::make_unique<detail::delivery_counters>()) {
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
  auto spawned = runtime_->spawn(
    [state](actor* self) { return state->make_behavior(self); });
  {
    std::lock_guard<std::mutex> guard{dispatcher_mtx_};
    dispatcher_ = spawned;
  }
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
  if (runtime_->clock().is_manual()) {
    writes_->poll();
    return;
  }
  // Writes take one fsync each batch; the bound covers a locked database
  // (busy timeout) and only guards against a wedged disk.
  auto bound = config_.busy_timeout + std::chrono::seconds{30};
  if (auto pending = writes_->drain(bound); pending > 0)
    logging::logger("reminders")
      ->warn("{} reminder write(s) still pending after {} s at shutdown",
             pending,
             std::chrono::duration_cast<std::chrono::seconds>(bound).count());
}

void reminder_service::stop() {
  if (!store_)
    return;
  // Closing flushes queued writes; their completions still run.
  store_->close();
  writes_->poll(); // manual time: run what closing completed
  std::lock_guard<std::mutex> guard{dispatcher_mtx_};
  dispatcher_ = nullptr;
}

void reminder_service::ownership_changed() {
  caf::actor dispatcher;
  {
    std::lock_guard<std::mutex> guard{dispatcher_mtx_};
    dispatcher = dispatcher_;
  }
  // Before the start the dispatcher reads the window with the current
  // ownership anyway; after the stop nothing fires.
  if (dispatcher)
    caf::anon_send(dispatcher, detail::ownership_changed_atom::value);
}

size_t reminder_service::poll() {
  return writes_->poll();
}

uint64_t reminder_service::delivered() const noexcept {
  return counters_->delivered.load();
}

uint64_t reminder_service::failed_attempts() const noexcept {
  return counters_->failed_attempts.load();
}

uint64_t reminder_service::dropped_fires() const noexcept {
  return counters_->dropped_fires.load();
}

size_t reminder_service::window_size() const noexcept {
  return counters_->window_size.load();
}

size_t reminder_service::window_peak() const noexcept {
  return counters_->window_peak.load();
}

void reminder_service::upsert(reminder_record rec, bool overwrite,
                              std::function<void(caf::error)> done) {
  writes_->begin();
  // The handle is taken now: `stop` resets the member, and completions may
  // run on the store's thread.
  store_->upsert_async(
    std::move(rec), overwrite,
    [this, dispatcher = dispatcher_,
     done = std::move(done)](caf::expected<reminder_record> result) {
      writes_->complete(
        [dispatcher, done, result = std::move(result)]() mutable {
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

void reminder_service::remove(const reminder_key& key,
                              std::function<void(caf::error)> done) {
  writes_->begin();
  store_->remove_async(key, [this, dispatcher = dispatcher_, key,
                             done = std::move(done)](caf::error err) {
    writes_->complete([dispatcher, key, done, err = std::move(err)]() mutable {
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
  writes_->begin();
  store_->record_fire_async(
    std::move(key), revision, fire_count, next_due, outcome,
    [this, done = std::move(done)](caf::expected<bool> applied) {
      writes_->complete([done, applied = std::move(applied)]() mutable {
        done(std::move(applied));
      });
    });
}

} // namespace horae
