// One node's partition leases: joins the cluster, renews its leases on a
// heartbeat, claims the partitions rendezvous hashing gives it, hands over
// those it should give up, and stops acting on every lease before it can
// expire when renewals fail (self-fencing on its own clock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/expected.hpp>

#include <horae/cluster/lease_settings.hpp>
#include <horae/journaling/postgres_leases.hpp>

namespace horae::detail {

class lease_manager {
public:
  /// Told (on the heartbeat thread) whenever the set of held partitions
  /// changed.
  using change_fn = std::function<void()>;

  lease_manager(std::unique_ptr<postgres_leases> table, lease_settings settings,
                std::string node_id);

  lease_manager(const lease_manager&) = delete;

  lease_manager& operator=(const lease_manager&) = delete;

  ~lease_manager();

  /// Registers this node under a new incarnation. @returns it, or
  /// `invalid_config` if another process runs under this node id: a live
  /// registration of the id that is renewed within one and a half renew
  /// intervals belongs to a running process; one that is not was left by
  /// a process that ended without leaving (a crash), and is taken over.
  caf::expected<uint64_t> join();

  /// Starts the heartbeat thread; `on_change` hears of every change.
  void start(change_fn on_change);

  /// Stops the heartbeat. Graceful: stops acting on every partition first
  /// (telling `on_change`), then releases the leases and leaves, so that
  /// other nodes take over without waiting for the leases to expire.
  void stop(bool graceful);

  /// One heartbeat: renew, read the live nodes, hand over what another node
  /// should hold, claim what this node should hold. The thread runs it
  /// every `renew_interval`; tests call it directly.
  void heartbeat();

  /// @returns the epoch of `partition` if this node holds it and its own
  ///          clock has not passed the lease's safe end. Thread-safe.
  std::optional<uint64_t> epoch_of(uint32_t partition) const;

  /// @returns the partitions held and still safe to act on. Thread-safe.
  std::vector<uint32_t> held() const;

  /// @returns the owner of `partition` as the last heartbeat read it
  ///          (node id and router endpoint), or none while it has none.
  ///          Thread-safe.
  std::optional<lease_owner> owner_of(uint32_t partition) const;

  uint32_t partitions() const noexcept {
    return partitions_;
  }

  uint64_t incarnation() const noexcept {
    return incarnation_;
  }

private:
  using steady = std::chrono::steady_clock;

  /// @returns the end of safe use of a lease renewed at `sent`.
  steady::time_point safe_end(steady::time_point sent) const;

  /// @returns this node id's live registration, if any.
  caf::expected<std::optional<live_node>> registration();

  /// Partitions rendezvous hashing gives this node among `nodes`.
  std::set<uint32_t> preferred(std::vector<std::string> nodes) const;

  void run();

  /// The fence watch: wakes at the safe end of the held leases and, if no
  /// heartbeat renewed them by then (one may hang on a frozen database
  /// connection), tells `on_change` that nothing is held any more, so the
  /// partitions' actors end before the leases can expire.
  void watch_fence();

  /// Runs `on_change_`, one call at a time (the heartbeat and the fence
  /// watch both report).
  void report_change();

  std::unique_ptr<postgres_leases> table_;
  lease_settings settings_;
  std::string node_id_;
  uint32_t partitions_;
  uint64_t incarnation_ = 0;

  /// Guards the lease state below, read by other threads.
  mutable std::mutex mtx_;
  std::map<uint32_t, uint64_t> held_;
  steady::time_point deadline_;
  /// Every partition's owner, read once per heartbeat for routing.
  std::map<uint32_t, lease_owner> owners_;

  /// Given up locally in the last heartbeat, released in the next one: in
  /// between, fires already handed to actors are recorded under the old
  /// lease, so the next owner does not fire them again. Heartbeat thread
  /// only.
  std::vector<uint32_t> draining_;

  /// Set by the fence watch once it reported the safe end passed; cleared
  /// by the next renewal. Guarded by `mtx_`.
  bool fenced_ = false;
  /// Wakes the fence watch when the safe end moves or the manager stops.
  std::condition_variable fence_cv_;
  /// Guarded by `mtx_`: the fence watch runs while true.
  bool watching_ = false;

  change_fn on_change_;
  std::mutex change_mtx_;
  std::thread thread_;
  std::thread fence_thread_;
  std::mutex stop_mtx_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

} // namespace horae::detail
