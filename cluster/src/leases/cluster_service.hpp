// The runtime service of a cluster node: owns the lease manager, answers
// the reminders module's ownership questions and tells the reminder service
// when the held partitions change.
#pragma once

#include <memory>
#include <string>

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_ownership.hpp>

#include "leases/lease_manager.hpp"
#include "leases/lease_view.hpp"

namespace horae::detail {

class cluster_service final : public reminder_ownership {
public:
  cluster_service(runtime& rt, std::unique_ptr<lease_manager> leases,
                  std::string node_id, std::string conninfo,
                  std::shared_ptr<lease_view> view);

  // -- service interface ------------------------------------------------------

  std::string_view name() const noexcept override;

  void start() override;

  void stop() override;

  // -- reminder_ownership interface -------------------------------------------

  const std::string& node_id() const noexcept override {
    return node_id_;
  }

  uint64_t incarnation() const noexcept override {
    return leases_->incarnation();
  }

  uint32_t partitions() const noexcept override {
    return leases_->partitions();
  }

  std::optional<uint64_t> epoch_of(uint32_t partition) const override {
    return leases_->epoch_of(partition);
  }

  std::vector<uint32_t> held() const override {
    return leases_->held();
  }

  const std::string& conninfo() const noexcept override {
    return conninfo_;
  }

private:
  runtime* runtime_;
  std::unique_ptr<lease_manager> leases_;
  std::string node_id_;
  std::string conninfo_;
  /// The transport's view of the leases, if any; unbound at the stop, so
  /// it never outlives the lease manager it reads.
  std::shared_ptr<lease_view> view_;
};

} // namespace horae::detail
