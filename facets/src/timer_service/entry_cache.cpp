// Cache indexes of threads: claimed on a thread's first timer call, given
// back when it exits, so that a cache never has two live owners.
#include "timer_service/entry_cache.hpp"

#include <mutex>
#include <vector>

namespace horae::detail {

namespace {

/// The exclusive indexes not held by a live thread.
class index_registry {
public:
  uint32_t claim() {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!free_.empty()) {
      auto result = free_.back();
      free_.pop_back();
      return result;
    }
    if (next_ < entry_cache::shared_index)
      return next_++;
    return entry_cache::shared_index;
  }

  /// The mutex also orders the old owner's last writes to the cache before
  /// the new owner's first reads.
  void give_back(uint32_t index) {
    if (index == entry_cache::shared_index)
      return;
    std::lock_guard<std::mutex> guard{mtx_};
    free_.push_back(index);
  }

private:
  std::mutex mtx_;
  std::vector<uint32_t> free_;
  uint32_t next_ = 0;
};

index_registry& registry() {
  // Never destroyed: threads may exit after static destruction began.
  static auto* instance = new index_registry;
  return *instance;
}

/// Gives the thread's index back when the thread exits.
struct index_lease {
  uint32_t* slot = nullptr;

  ~index_lease() {
    if (slot == nullptr)
      return;
    auto index = *slot;
    // Anything the thread still schedules while it ends goes through the
    // shared cache, which tolerates company.
    *slot = entry_cache::shared_index;
    registry().give_back(index);
  }
};

} // namespace

uint32_t entry_cache::claim_index(uint32_t* slot) noexcept {
  uint32_t index = shared_index;
  try {
    index = registry().claim();
    if (index != shared_index) {
      thread_local index_lease lease;
      lease.slot = slot;
    }
  } catch (...) {
    // Out of memory for the registry: the shared cache is always correct.
    index = shared_index;
  }
  return index;
}

} // namespace horae::detail
