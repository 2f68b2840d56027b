// Facet attachment from config, then the user's behaviour.
#include "actors/function_actor.hpp"

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>

#include <spdlog/spdlog.h>

namespace horae::detail {

function_actor::function_actor(caf::actor_config& cfg, actor_factory factory,
                               std::vector<std::string> facets,
                               caf::settings facet_settings,
                               std::optional<virtual_identity> identity)
  : actor(cfg), factory_(std::move(factory)),
    facets_to_attach_(std::move(facets)),
    facet_settings_(std::move(facet_settings)) {
  if (identity)
    set_identity(std::move(*identity));
}

caf::behavior function_actor::make_behavior() {
  for (const auto& name : facets_to_attach_) {
    caf::settings settings;
    if (auto sub = caf::get_if<caf::settings>(&facet_settings_, name))
      settings = *sub;
    auto ptr = runtime().make_facet(name, settings);
    if (!ptr) {
      // define() validated names and settings, so this is a facet whose
      // own construction failed (for instance a closed service).
      logging::logger("core")->error("{}: cannot attach facet '{}': {}",
                                     display_name(), name,
                                     describe(ptr.error()));
      quit(ptr.error());
      return {};
    }
    attach(std::move(*ptr));
  }
  return factory_(this);
}

} // namespace horae::detail
