// Name limits and quoting of user-supplied names in messages.
#include <cstdio>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>

namespace horae {

caf::error check_name(std::string_view what, std::string_view name) {
  if (name.empty())
    return make_error(errc::invalid_argument,
                      std::string{what} + " must not be empty");
  if (name.size() > max_name_length)
    return make_error(errc::invalid_argument,
                      std::string{what} + " '" + quote_for_message(name)
                        + "' is longer than " + std::to_string(max_name_length)
                        + " bytes");
  return caf::none;
}

std::string quote_for_message(std::string_view text, size_t limit) {
  std::string result;
  auto shown = text.substr(0, limit);
  result.reserve(shown.size() + 16);
  for (unsigned char c : shown) {
    if (c >= 0x20 && c != 0x7f && c != '\\') {
      result += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      result += buf;
    }
  }
  if (text.size() > limit)
    result += "...(" + std::to_string(text.size()) + " bytes)";
  return result;
}

} // namespace horae
