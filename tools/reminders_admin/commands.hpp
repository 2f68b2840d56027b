// The admin tool's commands: list, show and delete reminders in a database.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace horae::admin {

/// Parsed command line: the command, --db, --limit, and positional words.
struct invocation {
  std::string command;
  std::string db;
  size_t limit = 1000;
  std::vector<std::string> words;
};

/// Parses `argv`. @returns an error message, or an empty string on success.
std::string parse(int argc, char** argv, invocation& result);

/// Runs `inv`, writing results to `out` and errors to `err`.
/// @returns the process exit code: 0 success, 1 failure, 2 usage error.
int run(const invocation& inv, std::ostream& out, std::ostream& err);

/// The usage text.
std::string usage();

} // namespace horae::admin
