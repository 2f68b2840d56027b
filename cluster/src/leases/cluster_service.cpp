// Starting and stopping a node's leases with the runtime.
#include "leases/cluster_service.hpp"

#include <horae/core/logging.hpp>
#include <horae/facets/reminder_service.hpp>

#include <spdlog/spdlog.h>

namespace horae::detail {

cluster_service::cluster_service(runtime& rt,
                                 std::unique_ptr<lease_manager> leases,
                                 std::string node_id, std::string conninfo)
  : runtime_(&rt), leases_(std::move(leases)), node_id_(std::move(node_id)),
    conninfo_(std::move(conninfo)) {
  // nop
}

std::string_view cluster_service::name() const noexcept {
  return "cluster_service";
}

void cluster_service::start() {
  // Every service exists by now; the reminder service starts after this
  // one and reads the window with whatever is held at that moment.
  auto* reminders = runtime_->find_service<reminder_service>();
  leases_->start([reminders] {
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
  leases_->stop(true);
}

} // namespace horae::detail
