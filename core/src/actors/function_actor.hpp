// The concrete actor class behind runtime::spawn and virtual activations: it
// attaches the type's facets, then asks the user's factory for the
// behaviour.
#pragma once

#include <memory>
#include <optional>

#include <horae/core/actor.hpp>

#include "actors/defined_type.hpp"

namespace horae::detail {

class function_actor final : public actor {
public:
  /// @param identity and `vacate` are set for virtual activations only.
  function_actor(caf::actor_config& cfg,
                 std::shared_ptr<const defined_type> type,
                 std::optional<virtual_identity> identity, vacate_hook vacate);

  caf::behavior make_behavior() override;

  const char* name() const override {
    return "horae.actor";
  }

private:
  std::shared_ptr<const defined_type> type_;
};

} // namespace horae::detail
