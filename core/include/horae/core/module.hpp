// A module extends a runtime: it declares config options, facets that actor
// types can name in config files, and services to install. The facets library
// provides the timers and reminders modules.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/settings.hpp>

#include <horae/core/config/option_spec.hpp>
#include <horae/core/fwd.hpp>

namespace horae {

/// Describes a facet that config files may attach by name.
struct facet_descriptor {
  /// Creates a facet from its validated settings.
  using factory = std::function<caf::expected<std::unique_ptr<facet>>(
    runtime&, const caf::settings&)>;

  /// The name used in `facets=[...]`, e.g. "timers".
  std::string name;

  /// The facet's settings; keys are relative, e.g. "max-timers".
  std::vector<option_spec> settings;

  factory make;
};

/// A bundle of options, facets and services.
struct module {
  /// Installs the module's services into a runtime under construction.
  using installer = std::function<caf::error(runtime&)>;

  /// Adjusts the CAF system configuration before the actor system exists.
  using system_configurator = std::function<void(caf::actor_system_config&)>;

  /// A short name for errors and logs, e.g. "timers".
  std::string name;

  /// Options with absolute keys, e.g. "horae.timers.resolution".
  std::vector<option_spec> options;

  std::vector<facet_descriptor> facets;

  installer install;

  /// Optional; called by the runtime's constructor, before it creates the
  /// `caf::actor_system`, to load CAF modules (e.g. `caf::io::middleman`),
  /// add message types or set CAF options the module depends on. Options
  /// from the config's `caf` section are applied afterwards and win.
  system_configurator configure_system;
};

} // namespace horae
