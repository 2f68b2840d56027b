// Splits a command line into (key, value) settings. Both `--key=value` and
// `--key value` are accepted; a boolean option given alone means true.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace horae::detail {

/// How an option named on the command line takes its value.
enum class option_arity {
  /// Not an option the program knows.
  unknown,
  /// A boolean: alone it means true; `--key=false` sets it explicitly.
  flag,
  /// Needs a value, attached with `=` or as the next argument.
  value,
};

/// One setting from the command line, without the leading dashes.
using command_line_setting = std::pair<std::string, std::string>;

/// Reads `args` (without the program name) into settings. `arity_of` says
/// how each key takes its value. A value may begin with a single '-' (`-3s`
/// reaches the option's range check); an argument beginning with `--` is
/// always the next option, never a value.
/// @returns the settings in order, or an error naming the command line: an
///          unknown option, an option missing its value, or an argument
///          that is no option at all.
caf::expected<std::vector<command_line_setting>> read_command_line(
  const std::vector<std::string>& args,
  const std::function<option_arity(const std::string&)>& arity_of);

} // namespace horae::detail
