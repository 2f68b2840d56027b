// The heartbeat of a node's partition leases.
#include "leases/lease_manager.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>

#include "leases/rendezvous.hpp"
#include <spdlog/spdlog.h>

namespace horae::detail {

namespace {

auto cluster_log() {
  return logging::logger("cluster");
}

} // namespace

lease_manager::lease_manager(std::unique_ptr<postgres_leases> table,
                             lease_settings settings, std::string node_id)
  : table_(std::move(table)), settings_(settings), node_id_(std::move(node_id)),
    partitions_(table_->partitions()) {
  // nop
}

lease_manager::~lease_manager() {
  stop(false);
}

caf::expected<std::optional<live_node>> lease_manager::registration() {
  auto live = table_->live_nodes();
  if (!live)
    return std::move(live.error());
  for (auto& node : *live)
    if (node.node_id == node_id_)
      return std::optional<live_node>{std::move(node)};
  return std::optional<live_node>{};
}

caf::expected<uint64_t> lease_manager::join() {
  auto before = registration();
  if (!before)
    return std::move(before.error());
  if (*before) {
    // Live: a running process renews it within a renew interval, a crashed
    // one never again. Waiting a little longer than one tells them apart.
    std::this_thread::sleep_for(settings_.renew_interval * 3 / 2);
    auto after = registration();
    if (!after)
      return std::move(after.error());
    if (*after && (*after)->expires_ms != (*before)->expires_ms) {
      const auto& other = **after;
      auto where = other.endpoint.empty() ? std::string{}
                                          : ", router at " + other.endpoint;
      return make_error(errc::invalid_config,
                        "node id '" + node_id_
                          + "' is in use by a running process (incarnation "
                          + std::to_string(other.incarnation) + where
                          + "), which renewed its registration just now: "
                            "give every node its own horae.cluster.node-id, "
                            "or stop the other process");
    }
  }
  auto incarnation = table_->register_node(settings_.ttl);
  if (incarnation)
    incarnation_ = *incarnation;
  return incarnation;
}

void lease_manager::start(change_fn on_change) {
  on_change_ = std::move(on_change);
  {
    std::lock_guard<std::mutex> guard{mtx_};
    watching_ = true;
  }
  thread_ = std::thread{[this] { run(); }};
  fence_thread_ = std::thread{[this] { watch_fence(); }};
}

void lease_manager::watch_fence() {
  std::unique_lock<std::mutex> guard{mtx_};
  while (watching_) {
    if (held_.empty() || fenced_) {
      fence_cv_.wait(guard);
      continue;
    }
    if (steady::now() < deadline_) {
      fence_cv_.wait_until(guard, deadline_);
      continue;
    }
    // The safe end passed without a renewal: epoch_of and held() already
    // answer nothing; the partitions' actors must end now, not whenever
    // the heartbeat returns.
    fenced_ = true;
    guard.unlock();
    cluster_log()->warn("no renewal of the leases before their safe end; "
                        "stopped acting on every partition");
    report_change();
    guard.lock();
  }
}

void lease_manager::report_change() {
  std::lock_guard<std::mutex> guard{change_mtx_};
  if (on_change_)
    on_change_();
}

void lease_manager::run() {
  std::unique_lock<std::mutex> guard{stop_mtx_};
  while (!stopping_) {
    guard.unlock();
    heartbeat();
    guard.lock();
    stop_cv_.wait_for(guard, settings_.renew_interval,
                      [this] { return stopping_; });
  }
}

void lease_manager::stop(bool graceful) {
  {
    std::lock_guard<std::mutex> guard{stop_mtx_};
    if (stopping_ && !thread_.joinable())
      return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    watching_ = false;
  }
  fence_cv_.notify_all();
  if (fence_thread_.joinable())
    fence_thread_.join();
  if (!graceful)
    return;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    held_.clear();
  }
  report_change();
  if (auto err = table_->leave())
    cluster_log()->warn("leaving the cluster: {}; other nodes take over "
                        "once the leases expire",
                        describe(err));
}

lease_manager::steady::time_point
lease_manager::safe_end(steady::time_point sent) const {
  auto usable = std::chrono::duration_cast<steady::duration>(
    settings_.ttl * (1.0 - settings_.drift));
  return sent + usable - settings_.margin;
}

std::set<uint32_t>
lease_manager::preferred(std::vector<std::string> nodes) const {
  if (std::find(nodes.begin(), nodes.end(), node_id_) == nodes.end())
    nodes.push_back(node_id_);
  std::set<uint32_t> result;
  for (uint32_t p = 0; p < partitions_; ++p)
    if (preferred_owner(nodes, p) == node_id_)
      result.insert(p);
  return result;
}

void lease_manager::heartbeat() {
  auto sent = steady::now();
  auto renewed = table_->renew(settings_.ttl);
  std::map<uint32_t, uint64_t> next;
  auto deadline = steady::time_point{};
  if (renewed) {
    deadline = safe_end(sent);
    for (const auto& grant : *renewed)
      next.emplace(grant.partition, grant.epoch);
    // Partitions drained in the last round: their fires are recorded by
    // now, so the next owner may have them.
    if (!draining_.empty()) {
      for (auto p : draining_)
        next.erase(p);
      if (auto err = table_->release(draining_))
        cluster_log()->warn("handing over {} partition(s): {}",
                            draining_.size(), describe(err));
      draining_.clear();
    }
    if (auto live = table_->live_nodes()) {
      std::vector<std::string> ids;
      for (const auto& node : *live)
        ids.push_back(node.node_id);
      auto mine = preferred(std::move(ids));
      for (auto i = next.begin(); i != next.end();) {
        if (mine.count(i->first) == 0) {
          draining_.push_back(i->first); // another node should hold it
          i = next.erase(i);
        } else {
          ++i;
        }
      }
      std::vector<uint32_t> wanted;
      for (auto p : mine)
        if (next.count(p) == 0)
          wanted.push_back(p);
      if (auto won = table_->claim(wanted, settings_.ttl)) {
        for (const auto& grant : *won)
          next.emplace(grant.partition, grant.epoch);
      } else {
        cluster_log()->warn("claiming partitions: {}", describe(won.error()));
      }
    } else {
      cluster_log()->warn("reading the live nodes: {}", describe(live.error()));
    }
  } else {
    cluster_log()->warn("renewing the leases: {}; acting on them until "
                        "their safe end only",
                        describe(renewed.error()));
  }
  // Who holds what elsewhere, for messages to actors of other partitions.
  std::map<uint32_t, lease_owner> owners;
  auto read = table_->owners();
  if (read)
    for (auto& owner : *read)
      owners.emplace(owner.partition, std::move(owner));
  bool changed;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (read)
      owners_ = std::move(owners);
    if (!renewed) {
      // Keep what is held until its safe end; after that, nothing.
      next = steady::now() < deadline_ ? held_ : decltype(next){};
      deadline = deadline_;
    }
    // After a fence, what a renewal brings back is news even where the
    // set is the same: the fence watch reported it all gone.
    auto was_fenced = std::exchange(fenced_, fenced_ && !renewed);
    if (renewed)
      changed = next != held_ || was_fenced;
    else
      changed = next != held_ && !was_fenced; // reported by the fence watch
    held_ = std::move(next);
    deadline_ = deadline;
  }
  fence_cv_.notify_all();
  if (changed)
    report_change();
}

std::optional<uint64_t> lease_manager::epoch_of(uint32_t partition) const {
  std::lock_guard<std::mutex> guard{mtx_};
  if (steady::now() >= deadline_)
    return std::nullopt; // self-fenced: the lease may be another's soon
  auto i = held_.find(partition);
  if (i == held_.end())
    return std::nullopt;
  return i->second;
}

std::optional<lease_owner> lease_manager::owner_of(uint32_t partition) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = owners_.find(partition);
  if (i == owners_.end())
    return std::nullopt;
  return i->second;
}

std::vector<uint32_t> lease_manager::held() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<uint32_t> result;
  if (steady::now() >= deadline_)
    return result;
  for (const auto& [p, epoch] : held_)
    result.push_back(p);
  return result;
}

} // namespace horae::detail
