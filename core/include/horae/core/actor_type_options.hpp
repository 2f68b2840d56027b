// What a virtual actor type is made of besides its behaviour: the facets
// every activation gets, their settings, and when an idle activation leaves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/settings.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Options of a virtual actor type. The same struct carries a config file's
/// `[actor.<type>]` section, the options given to `runtime::define` (which
/// add facets to the section's and override its other values), and the
/// completed options the registry activates the type with.
struct actor_type_options {
  /// Deactivate after this long without messages; zero: never. Unset: the
  /// config's `[actor.<type>] idle-timeout`, else `horae.actors.idle-timeout`.
  std::optional<clock::duration> idle_timeout;

  /// Facets to attach by name, in order.
  std::vector<std::string> facets{};

  /// Settings per facet name (a dictionary each).
  caf::settings facet_settings{};
};

} // namespace horae
