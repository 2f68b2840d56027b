// The set of options a program accepts; validates parsed settings against it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/settings.hpp>

#include <horae/core/config/option_spec.hpp>

namespace horae {

/// Declared options, keyed by their dotted name ("horae.timers.resolution").
class config_schema {
public:
  // -- modifiers --------------------------------------------------------------

  /// Declares `spec`. A later declaration of the same key replaces it.
  void add(option_spec spec);

  // -- observers --------------------------------------------------------------

  /// @returns the option named `key`, or `nullptr`.
  const option_spec* find(const std::string& key) const noexcept;

  /// @returns all options, ordered by key.
  const std::map<std::string, option_spec>& options() const noexcept {
    return options_;
  }

  /// @returns the keys that share the section of `key`, for "did you mean"
  /// hints in error messages.
  std::vector<std::string> siblings_of(const std::string& key) const;

  /// Checks every leaf of `content` whose top-level section is not in
  /// `skip_sections`: unknown keys, wrong types and out-of-range values are
  /// errors naming `source`, the key and the expected form.
  caf::error validate(const caf::settings& content, const std::string& source,
                      const std::vector<std::string>& skip_sections) const;

  /// Writes every default into `content` where no value is set.
  void fill_defaults(caf::settings& content) const;

private:
  std::map<std::string, option_spec> options_;
};

} // namespace horae
