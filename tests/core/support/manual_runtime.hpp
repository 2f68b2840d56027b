// A runtime on manual time with only the core: the starting point of the
// core tests.
#pragma once

#include <memory>
#include <stdexcept>

#include <horae/core/runtime.hpp>

namespace horae::test {

inline std::unique_ptr<runtime> manual_runtime() {
  config cfg;
  cfg.manual_time = true;
  auto rt = runtime::make(std::move(cfg));
  if (!rt)
    throw std::runtime_error(describe(rt.error()));
  return std::move(*rt);
}

} // namespace horae::test
