// The CAF system config a runtime creates; it lets any horae::actor find the
// runtime that owns its actor system.
#pragma once

#include <caf/actor_system_config.hpp>

#include <horae/core/fwd.hpp>

namespace horae::detail {

class runtime_system_config : public caf::actor_system_config {
public:
  explicit runtime_system_config(runtime* owner) : owner_(owner) {
    // nop
  }

  runtime* owner() const noexcept {
    return owner_;
  }

private:
  runtime* owner_;
};

} // namespace horae::detail
