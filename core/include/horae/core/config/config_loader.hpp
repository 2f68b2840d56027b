// Reads a config file in CAF's INI format plus command-line overrides and
// validates both against the declared options.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include <horae/core/config/config.hpp>

namespace horae {

/// Builds a validated `config` from a file and command-line arguments.
///
/// CAF 0.17 parses the file; horae then checks every key itself, because CAF
/// accepts unknown keys silently, turns a negative duration into zero, and
/// replaces a section's content when a deeper section of the same path
/// follows. Each of these is reported as an error naming the file, the key
/// and the expected form.
///
/// Command-line arguments have the form `--<key>=<value>` or `--<key>
/// <value>` for any declared key (`--horae.timers.resolution 2ms`,
/// `--duration=10s`); a boolean option given alone means true. `--config
/// <file>` reads another file; `--help` and `--version` are answered by
/// `answer_info_request`.
class config_loader {
public:
  // -- constructors -----------------------------------------------------------

  /// @param program name used in `--help` output.
  explicit config_loader(std::string program);

  // -- modifiers --------------------------------------------------------------

  /// Declares the options and facets of `mod`.
  config_loader& add_module(module mod);

  /// Declares an application option, e.g. `duration` for an example.
  config_loader& add_option(option_spec spec);

  // -- loading ----------------------------------------------------------------

  /// Loads `default_file` (or the one given by `--config`) and applies the
  /// remaining arguments as overrides. A missing default file is an error
  /// only if `require_file` is set; an explicitly given one always is.
  caf::expected<config> load(int argc, const char* const* argv,
                             const std::string& default_file,
                             bool require_file = false) const;

  /// Loads settings from INI text; `source` names it in errors.
  caf::expected<config> load_text(const std::string& ini_text,
                                  const std::vector<std::string>& args = {},
                                  const std::string& source = "<text>") const;

  /// Loads settings from `path`; a missing file is an error.
  caf::expected<config> load_file(const std::string& path,
                                  const std::vector<std::string>& args
                                  = {}) const;

  // -- observers --------------------------------------------------------------

  /// @returns the text `--help` prints: every option with type, default and
  ///          description.
  std::string help_text() const;

  /// @returns the text `--version` prints: the program's name and horae's
  ///          version, e.g. "hello (horae 0.1.0)".
  std::string version_text() const;

  /// @returns whether `args` contain `--help` or `-h`.
  static bool wants_help(int argc, const char* const* argv);

  /// @returns whether `args` contain `--version`.
  static bool wants_version(int argc, const char* const* argv);

  /// Prints `help_text()` for `--help` or `-h`, else `version_text()` for
  /// `--version`. Call it before `load`, which treats both as unknown.
  /// @returns whether it printed, i.e. whether the program should exit
  ///          with status 0 now.
  bool answer_info_request(int argc, const char* const* argv,
                           std::ostream& out) const;

private:
  caf::expected<config> finish(caf::settings content,
                               const std::vector<std::string>& args,
                               const std::string& source) const;

  std::string program_;
  config proto_;
};

} // namespace horae
