// Whitespace trimming shared by the config loader's text handling.
#pragma once

#include <string>

namespace horae::detail {

/// @returns `str` without leading and trailing blanks, tabs and CRs.
inline std::string trim(const std::string& str) {
  auto first = str.find_first_not_of(" \t\r");
  if (first == std::string::npos)
    return {};
  auto last = str.find_last_not_of(" \t\r");
  return str.substr(first, last - first + 1);
}

} // namespace horae::detail
