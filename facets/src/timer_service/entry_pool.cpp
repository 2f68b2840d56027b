// Slab allocation and batched recycling of timer entries.
#include "timer_service/entry_pool.hpp"

#include <algorithm>
#include <new>

#include <sys/mman.h>

namespace horae::detail {

// -- entry_pool ---------------------------------------------------------------

entry_pool::~entry_pool() {
  for (size_t i = 0; i < slabs_.size(); ++i) {
    auto& s = slabs_[i];
    auto constructed = i + 1 == slabs_.size() ? carved_ : s.capacity;
    for (size_t j = 0; j < constructed; ++j)
      s.base[j].~timer_entry();
    ::munmap(s.base, s.capacity * sizeof(timer_entry));
  }
}

entry_chain entry_pool::acquire() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (free_.empty())
    return carve();
  auto result = free_.back();
  free_.pop_back();
  return result;
}

void entry_pool::release(entry_chain chain) {
  if (chain.empty())
    return;
  std::lock_guard<std::mutex> guard{mtx_};
  free_.push_back(chain);
}

entry_chain entry_pool::carve() {
  if (slabs_.empty() || carved_ == slabs_.back().capacity) {
    auto capacity = slabs_.empty()
                      ? min_slab_size
                      : std::min(slabs_.back().capacity * 2, max_slab_size);
    // Straight from the kernel: page-aligned (so 64-byte aligned), no
    // allocator header. MAP_POPULATE makes the whole slab resident in one
    // call: the kernel fills its pages in a batch, where first touches of
    // fresh pages would cost a page fault every 64 timers on the
    // scheduling path. Slabs double from 64 KiB, so at most about half of
    // the resident slab memory waits for timers.
    auto mem
      = ::mmap(nullptr, capacity * sizeof(timer_entry), PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED)
      throw std::bad_alloc{};
    slabs_.push_back(slab{static_cast<timer_entry*>(mem), capacity});
    carved_ = 0;
  }
  auto& s = slabs_.back();
  entry_chain chain;
  auto n = std::min(batch_size, s.capacity - carved_);
  // Push in reverse so that the batch hands out entries in address order.
  for (size_t j = n; j > 0; --j)
    chain.push(new (s.base + carved_ + j - 1) timer_entry);
  carved_ += n;
  return chain;
}

// -- entry_recycler -----------------------------------------------------------

void entry_recycler::recycle(timer_entry* e) noexcept {
  auto gen
    = timer_entry::generation_of(e->state.load(std::memory_order_relaxed));
  e->state.store(timer_entry::make_state(gen + 1, timer_status::free),
                 std::memory_order_release);
  e->target.reset();
  e->pprev = nullptr;
  chain_.push(e);
  if (chain_.size >= entry_pool::batch_size)
    flush();
}

void entry_recycler::flush() {
  pool_.release(chain_);
  chain_ = entry_chain{};
}

} // namespace horae::detail
