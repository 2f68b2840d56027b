// The concrete actor class behind runtime::spawn and virtual activations: it
// attaches the configured facets, then asks the user's factory for the
// behaviour.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/settings.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/actor_factory.hpp>

namespace horae::detail {

class function_actor final : public actor {
public:
  function_actor(caf::actor_config& cfg, actor_factory factory,
                 std::vector<std::string> facets, caf::settings facet_settings,
                 std::optional<virtual_identity> identity);

  caf::behavior make_behavior() override;

  const char* name() const override {
    return "horae.actor";
  }

private:
  actor_factory factory_;
  std::vector<std::string> facets_to_attach_;
  caf::settings facet_settings_;
};

} // namespace horae::detail
