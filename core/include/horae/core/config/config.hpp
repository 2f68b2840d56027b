// A validated configuration: parsed settings with defaults filled in, the
// modules that declared them, and the per-actor-type sections.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/settings.hpp>

#include <horae/core/actor_type_options.hpp>
#include <horae/core/clock.hpp>
#include <horae/core/config/config_schema.hpp>
#include <horae/core/module.hpp>

namespace horae {

/// A complete, validated configuration. Obtain one from `config_loader`; a
/// default-constructed config has every core default and no modules.
class config {
public:
  // -- constructors -----------------------------------------------------------

  config();

  // -- observers --------------------------------------------------------------

  /// @returns every setting, defaults included.
  const caf::settings& content() const noexcept {
    return content_;
  }

  /// @returns the file the settings came from, or "<defaults>".
  const std::string& source() const noexcept {
    return source_;
  }

  const std::vector<module>& modules() const noexcept {
    return modules_;
  }

  const config_schema& schema() const noexcept {
    return schema_;
  }

  /// @returns the `[actor.<type>]` sections by type name.
  const std::map<std::string, actor_type_options>&
  actor_types() const noexcept {
    return actor_types_;
  }

  /// Typed access to a declared option; falls back to its default.
  /// @pre `key` is declared in the schema with the matching type.
  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  clock::duration get_duration(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  std::vector<std::string> get_string_list(const std::string& key) const;

  /// @returns the facet named `name` in any module, or `nullptr`.
  const facet_descriptor* find_facet(const std::string& name) const noexcept;

  // -- modifiers --------------------------------------------------------------

  /// Sets a declared option after validation, e.g. in tests.
  /// @returns an error if the key is unknown or the value does not fit.
  caf::error set(const std::string& key, caf::config_value value);

  /// Adds a module and its option defaults (for configs built in code).
  void add_module(module mod);

  /// Runs the runtime on a manual clock and CAF's deterministic test
  /// scheduler: time moves only through `runtime::advance`.
  bool manual_time = false;

private:
  friend class config_loader;

  caf::settings content_;
  std::string source_ = "<defaults>";
  config_schema schema_;
  std::vector<module> modules_;
  std::map<std::string, actor_type_options> actor_types_;
};

/// Declares the options every runtime has (logging, scheduler, actors).
void add_core_options(config_schema& schema);

} // namespace horae
