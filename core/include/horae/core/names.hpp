// One limit for every name and key a user passes to horae (actor types and
// keys, reminder and timer names), and a safe way to quote them in errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <caf/error.hpp>

namespace horae {

/// Longest actor type, actor key, reminder name or timer name, in bytes.
constexpr size_t max_name_length = 256;

/// @returns `invalid_argument` if `name` is empty or longer than
///          `max_name_length`, naming `what` (e.g. "reminder name") and
///          quoting the name shortened; else none.
caf::error check_name(std::string_view what, std::string_view name);

/// @returns `text` fit for an error message or a terminal: control bytes
///          (and the backslash) as `\xNN`, and at most `limit` bytes of it
///          followed by "...(N bytes)" when cut.
std::string quote_for_message(std::string_view text, size_t limit = 64);

} // namespace horae
