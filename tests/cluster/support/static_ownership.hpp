// An ownership view set by hand: one node's belief about who owns which
// partition, changed by the test at the moments it chooses.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <horae/cluster/ownership_view.hpp>

namespace horae::test {

/// In-memory `ownership_view`. `holds(p)` is true when this node's id owns
/// p. Thread-safe: routers read it from their own threads.
class static_ownership : public cluster::ownership_view {
public:
  static_ownership(std::string self, uint32_t partitions)
    : self_(std::move(self)), partitions_(partitions) {
    // nop
  }

  uint32_t partitions() const override {
    return partitions_;
  }

  std::optional<cluster::node_address> owner_of(uint32_t p) const override {
    std::lock_guard<std::mutex> guard{mtx_};
    std::optional<cluster::node_address> result;
    if (auto i = owners_.find(p); i != owners_.end())
      result = i->second;
    // A refresh that the test scheduled for after this read.
    if (auto i = next_.find(p); i != next_.end()) {
      owners_[p] = i->second;
      next_.erase(i);
    }
    return result;
  }

  bool holds(uint32_t p) const override {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = owners_.find(p);
    return i != owners_.end() && i->second.node_id == self_;
  }

  /// Makes `owner` the owner of every partition.
  void assign_all(const cluster::node_address& owner) {
    std::lock_guard<std::mutex> guard{mtx_};
    for (uint32_t p = 0; p < partitions_; ++p)
      owners_[p] = owner;
  }

  /// Makes `owner` the owner of `p` after the next `owner_of(p)`: a view
  /// that is stale for exactly one more read.
  void assign_after_next_read(uint32_t p, const cluster::node_address& owner) {
    std::lock_guard<std::mutex> guard{mtx_};
    next_[p] = owner;
  }

  /// Leaves every partition without an owner.
  void clear() {
    std::lock_guard<std::mutex> guard{mtx_};
    owners_.clear();
  }

private:
  std::string self_;
  uint32_t partitions_;
  mutable std::mutex mtx_;
  mutable std::map<uint32_t, cluster::node_address> owners_;
  mutable std::map<uint32_t, cluster::node_address> next_;
};

} // namespace horae::test
