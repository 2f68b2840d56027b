// Starting and stopping a node's leases with the runtime.
#include "leases/cluster_service.hpp"

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/virtual_actor_registry.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/journaling/partition.hpp>

#include <spdlog/spdlog.h>

namespace horae::detail {

cluster_service::cluster_service(runtime& rt,
                                 std::unique_ptr<lease_manager> leases,
                                 std::string node_id, std::string conninfo,
                                 std::shared_ptr<lease_view> view)
  : runtime_(&rt), leases_(std::move(leases)), node_id_(std::move(node_id)),
    conninfo_(std::move(conninfo)), view_(std::move(view)) {
  if (view_)
    view_->bind(leases_.get());
}

std::string_view cluster_service::name() const noexcept {
  return "cluster_service";
}

void cluster_service::start() {
  auto& registry = runtime_->registry();
  // Single activation: only the holder of a key's partition activates it.
  registry.set_activation_gate(
    [this](const std::string& type, const std::string& key) -> caf::error {
      auto p = partition_of(type, key, leases_->partitions());
      if (leases_->epoch_of(p))
        return caf::none;
      return make_error(errc::not_owner,
                        "node " + node_id_ + " does not hold partition "
                          + std::to_string(p) + " of " + type + "/" + key);
    });
  // Every service exists by now; the reminder service starts after this
  // one and reads the window with whatever is held at that moment.
  auto* reminders = runtime_->find_service<reminder_service>();
  leases_->start([this, reminders, &registry] {
    // Activations of partitions given up end; their new holder activates
    // them again on demand.
    registry.request_deactivation_where([this](const std::string& type,
                                               const std::string& key) {
      return !leases_->epoch_of(partition_of(type, key, leases_->partitions()));
    });
    if (reminders != nullptr)
      reminders->ownership_changed();
  });
  logging::logger("cluster")->info(
    "node {} (incarnation {}) joined; {} partitions", node_id_,
    leases_->incarnation(), leases_->partitions());
}

void cluster_service::stop() {
  // Stopped after the reminder service (reverse order): hand everything
  // over at once instead of letting the leases run out.
  if (view_)
    view_->bind(nullptr);
  leases_->stop(true);
}

} // namespace horae::detail
