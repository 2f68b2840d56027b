// The process-wide list of send markers and the asymmetric fences.
#include "actors/send_markers.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace horae::detail {

namespace {

long membarrier(int cmd) noexcept {
  return ::syscall(__NR_membarrier, cmd, 0U, 0);
}

/// Registers the process for private expedited barriers. @returns false
/// where the kernel lacks them (before 4.14), forbids the call (a seccomp
/// filter) or does not know the call at all (valgrind).
bool register_membarrier() noexcept {
  auto supported = membarrier(MEMBARRIER_CMD_QUERY);
  if (supported < 0 || (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
    return false;
  return membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

std::mutex& list_mutex() {
  // Never destroyed: threads may exit after the statics are gone.
  static auto* mtx = new std::mutex;
  return *mtx;
}

} // namespace

/// Gives the thread's record back when the thread exits. From then on the
/// thread's sends take the cell's counted path.
struct marker_lease {
  ~marker_lease() {
    auto& t = send_marker::this_thread;
    t.exited = true;
    if (t.record == nullptr)
      return;
    std::lock_guard<std::mutex> guard{list_mutex()};
    t.record->owned_ = false;
    t.record = nullptr;
  }
};

bool send_marker::asymmetric() noexcept {
  static const bool result = register_membarrier();
  return result;
}

void send_marker::heavy_fence() noexcept {
  if (!asymmetric()) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return;
  }
  if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
    return;
  // The kernel documents no failure after a registration (which a fork
  // inherits). Should one happen all the same, the senders still rely on
  // a process-wide barrier: register again, else take the slow barrier
  // that needs no registration.
  if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0
      && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0)
    return;
  if (membarrier(MEMBARRIER_CMD_GLOBAL) == 0)
    return;
  // Every sender fences only its compiler now; a full fence here would not
  // pair with that, and a close that goes on could lose a message.
  std::fputs("horae: membarrier failed after it was granted; a virtual "
             "actor's deactivation cannot be made safe, stopping\n",
             stderr);
  std::abort();
}

std::atomic<send_marker*>& send_marker::head() noexcept {
  static std::atomic<send_marker*> result{nullptr};
  return result;
}

send_marker* send_marker::claim() noexcept try {
  // Decided before any record relies on it.
  auto compiler_only = asymmetric();
  send_marker* result = nullptr;
  {
    std::lock_guard<std::mutex> guard{list_mutex()};
    for (auto* x = head().load(std::memory_order_relaxed); x != nullptr;
         x = x->next_)
      if (!x->owned_) {
        result = x;
        break;
      }
    if (result == nullptr) {
      result = new send_marker;
      result->next_ = head().load(std::memory_order_relaxed);
      head().store(result, std::memory_order_release);
    }
    result->owned_ = true;
    result->compiler_only_ = compiler_only;
  }
  thread_local marker_lease lease;
  return result;
} catch (...) {
  // Out of memory: this send takes the cell's counted path.
  return nullptr;
}

} // namespace horae::detail
