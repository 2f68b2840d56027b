// The admin tool's commands against a reminder database: list, show, stats,
// delete, backup, check, export and import.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace horae::admin {

/// A parsed command line.
struct invocation {
  /// list, show, stats, delete, backup, check, export, import; "help" when
  /// `text` holds help or version output to print instead.
  std::string command;
  std::string db;
  /// "text" or "json".
  std::string format = "text";
  size_t limit = 1000;
  /// list: only reminders due now or earlier.
  bool overdue = false;
  /// import: leave reminders that exist already as they are.
  bool keep_existing = false;
  /// Positional words: list's type and key, show's and delete's key parts.
  std::vector<std::string> words;
  /// backup's target, export's output ("-": standard output), import's
  /// input.
  std::string file;
  /// Help or version text (command "help").
  std::string text;
};

/// Parses `argv` (`--db x` and `--db=x` alike; `--help` on the tool and on
/// every command; `--version`).
/// @returns an error message, or an empty string on success.
std::string parse(int argc, char** argv, invocation& result);

/// Runs `inv`, writing results to `out` and errors to `err`.
/// @returns the process exit code: 0 success, 1 failure, 2 usage error.
int run(const invocation& inv, std::ostream& out, std::ostream& err);

} // namespace horae::admin
