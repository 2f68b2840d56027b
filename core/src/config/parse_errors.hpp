// CAF's INI parser reports errors as codes with a line and column. These
// functions turn them into what people need: which key, what is wrong, how
// to write it instead.
#pragma once

#include <string>

#include <caf/error.hpp>

namespace horae::detail {

/// @returns an explanation of `err`, which CAF's parser returned for
///          `entry` (the text of one INI entry, possibly after its section
///          header), e.g. "key 'level': strings must be quoted:
///          level=\"warn\"".
std::string explain_parse_error(const caf::error& err,
                                const std::string& entry);

} // namespace horae::detail
