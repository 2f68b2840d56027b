// Explanations for CAF's INI parser errors.
#include "config/parse_errors.hpp"

#include <cctype>
#include <sstream>

#include <caf/atom.hpp>
#include <caf/pec.hpp>

#include <horae/core/config/duration_text.hpp>

#include "config/trim.hpp"

namespace horae::detail {

namespace {

/// The `key=value` line of an entry (the first line with '=' outside a
/// section header).
bool split_entry(const std::string& entry, std::string& key,
                 std::string& value) {
  std::istringstream in{entry};
  std::string line;
  while (std::getline(in, line)) {
    auto text = trim(line);
    if (text.empty() || text.front() == '[' || text.front() == ';')
      continue;
    auto eq = text.find('=');
    if (eq == std::string::npos)
      continue;
    key = trim(text.substr(0, eq));
    value = trim(text.substr(eq + 1));
    return true;
  }
  return false;
}

bool is_bare_word(const std::string& value) {
  if (value.empty() || !std::isalpha(static_cast<unsigned char>(value[0])))
    return false;
  return value != "true" && value != "false";
}

} // namespace

std::string explain_parse_error(const caf::error& err,
                                const std::string& entry) {
  std::string key;
  std::string value;
  bool found = split_entry(entry, key, value);
  if (found && err.category() == caf::atom("parser")) {
    auto code = static_cast<caf::pec>(err.code());
    auto where = "key '" + key + "': ";
    if (code == caf::pec::fractional_timespan) {
      if (auto whole = whole_duration_for(value))
        return where + "durations are whole numbers: use " + key + "=" + *whole
               + " instead of " + value;
      return where + "durations are whole numbers: use a smaller unit";
    }
    if (is_bare_word(value))
      return where + "strings must be quoted: " + key + "=\"" + value + "\"";
    if (code == caf::pec::unexpected_newline)
      return where + "a string ends at the end of its line; close the quote";
    if (code == caf::pec::unexpected_eof)
      return where
             + "the value ends too early (an unclosed quote, list or "
               "dictionary?)";
    if (code == caf::pec::integer_overflow
        || code == caf::pec::integer_underflow
        || code == caf::pec::timespan_overflow)
      return where + "the number " + value + " is too large";
    return where + "cannot read the value " + value;
  }
  return "cannot parse the entry on this line: " + caf::to_string(err);
}

} // namespace horae::detail
