// Store ownership, completion routing and the dispatcher's lifecycle.
#include <horae/facets/reminder_service.hpp>

#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/timer_service.hpp>

#include <spdlog/spdlog.h>

#include "reminders/reminder_dispatcher.hpp"

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
  dispatcher_ = runtime_->spawn([state](actor* self) {
    return state->make_behavior(self);
  });
  logging::logger("reminders")
    ->info("reminder service started on {}", config_.db_path);
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
                 [this] { return in_flight_ == 0; });
    ready.swap(completed_);
  }
  for (auto& fn : ready)
    fn();
  return ready.size();
}

void reminder_service::begin_operation() {
  // Only `poll` (manual time) waits for writes in flight; on real time the
  // count would cost two lock round trips per write for nobody.
  if (!manual_)
    return;
  std::lock_guard<std::mutex> guard{mtx_};
  ++in_flight_;
}

void reminder_service::complete(std::function<void()> fn) {
  if (!manual_) {
    fn();
    return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  completed_.push_back(std::move(fn));
  --in_flight_;
  cv_.notify_all();
}

void reminder_service::upsert(
  reminder_record rec, bool overwrite,
  std::function<void(caf::expected<reminder_record>)> done) {
  begin_operation();
  store_->upsert_async(std::move(rec), overwrite,
                       [this, done = std::move(done)](
                         caf::expected<reminder_record> result) {
                         complete([done, result = std::move(result)]() mutable {
                           done(std::move(result));
                         });
                       });
}

void reminder_service::remove(reminder_key key,
                              std::function<void(caf::error)> done) {
  begin_operation();
  store_->remove_async(std::move(key),
                       [this, done = std::move(done)](caf::error err) {
                         complete([done, err = std::move(err)]() mutable {
                           done(std::move(err));
                         });
                       });
}

void reminder_service::record_fire(
  reminder_key key, uint64_t revision, uint64_t fire_count,
  std::optional<clock::wall_time> next_due,
  std::function<void(caf::expected<bool>)> done) {
  begin_operation();
  store_->record_fire_async(std::move(key), revision, fire_count, next_due,
                            [this, done = std::move(done)](
                              caf::expected<bool> applied) {
                              complete([done, applied = std::move(applied)]()
                                         mutable { done(std::move(applied)); });
                            });
}

} // namespace horae
