// The declaration of one configuration option: key, type, default, range.
// Schemas are lists of these; validation and the --help text come from them.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <caf/config_value.hpp>
#include <caf/error.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// The value types a horae option can have.
enum class option_type : uint8_t {
  boolean,
  integer,
  duration,
  string,
  string_list,
};

/// @returns "boolean", "integer", "duration", "string" or "list of strings".
const char* to_string(option_type x) noexcept;

/// Declares one option. Build instances with the static factories.
struct option_spec {
  // -- factories --------------------------------------------------------------

  static option_spec boolean(std::string key, bool fallback,
                             std::string description);

  static option_spec integer(std::string key, int64_t fallback, int64_t min,
                             int64_t max, std::string description);

  static option_spec duration(std::string key, clock::duration fallback,
                              clock::duration min, clock::duration max,
                              std::string description);

  /// A string; if `choices` is not empty, the value must be one of them.
  static option_spec string(std::string key, std::string fallback,
                            std::string description,
                            std::vector<std::string> choices = {});

  static option_spec string_list(std::string key,
                                 std::vector<std::string> fallback,
                                 std::string description,
                                 std::vector<std::string> choices = {});

  // -- observers --------------------------------------------------------------

  /// Describes what a valid value looks like, for error messages, e.g.
  /// "a duration from 1ms to 1h, such as 5s".
  std::string expected_form() const;

  /// @returns the default rendered in config-file syntax.
  std::string default_text() const;

  /// Checks `value` against type and range. The error's context names
  /// `source` and the key and gives the expected form.
  caf::error check(const caf::config_value& value,
                   const std::string& source) const;

  /// Parses a command-line value of this option's type.
  caf::expected<caf::config_value> parse(const std::string& text,
                                         const std::string& source) const;

  // -- member variables -------------------------------------------------------

  std::string key;
  option_type type = option_type::string;
  caf::config_value fallback;
  std::string description;
  int64_t min_int = std::numeric_limits<int64_t>::min();
  int64_t max_int = std::numeric_limits<int64_t>::max();
  clock::duration min_duration = clock::duration::zero();
  clock::duration max_duration = clock::duration::max();
  std::vector<std::string> choices;
};

} // namespace horae
