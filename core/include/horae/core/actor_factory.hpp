// How users describe the behaviour of a horae actor: a function that receives
// the actor (to attach facets and keep state) and returns its behaviour.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/behavior.hpp>
#include <caf/settings.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/fwd.hpp>

namespace horae {

/// Creates the behaviour of one activation.
using actor_factory = std::function<caf::behavior(actor*)>;

/// Options of a virtual actor type given to `runtime::define`. Values here
/// add to (facets) or override (idle timeout) the `[actor.<type>]` section.
struct actor_type_options {
  /// Deactivate after this long without messages; zero: never. Unset: the
  /// config's `[actor.<type>] idle-timeout`, else `horae.actors.idle-timeout`.
  std::optional<clock::duration> idle_timeout;

  /// Facets to attach by name, after the ones the config file lists.
  std::vector<std::string> facets{};

  /// Settings per facet name, overriding the config file's.
  caf::settings facet_settings{};
};

} // namespace horae
