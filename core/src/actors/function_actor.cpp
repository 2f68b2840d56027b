// Facet attachment from the type's completed options, then the user's
// behaviour.
#include "actors/function_actor.hpp"

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/runtime.hpp>

#include <spdlog/spdlog.h>

namespace horae::detail {

function_actor::function_actor(caf::actor_config& cfg,
                               std::shared_ptr<const defined_type> type,
                               std::optional<virtual_identity> identity,
                               vacate_hook vacate)
  : actor(cfg), type_(std::move(type)) {
  if (identity)
    set_identity(std::move(*identity), std::move(vacate));
}

caf::behavior function_actor::make_behavior() {
  const auto& options = type_->options;
  for (const auto& name : options.facets) {
    // The registry checked and completed these settings when the type was
    // defined; activations only build.
    const auto& settings
      = caf::get<caf::settings>(options.facet_settings, name);
    auto ptr
      = runtime().configuration().find_facet(name)->make(runtime(), settings);
    if (!ptr) {
      // A facet whose own construction failed, e.g. a closed service.
      logging::logger("core")->error("{}: cannot attach facet '{}': {}",
                                     display_name(), name,
                                     describe(ptr.error()));
      quit(ptr.error());
      return {};
    }
    attach(std::move(*ptr));
  }
  return type_->factory(this);
}

} // namespace horae::detail
