// Parsing and printing of durations such as "500ms", "2s" or "1h", shared by
// the config loader and the examples' command lines.
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include <horae/core/clock.hpp>

namespace horae {

/// Parses `<number><unit>` with unit ns, us, ms, s, min, h or d. Rejects
/// negative values, missing units, trailing garbage and overflow with an
/// error that quotes the text.
caf::expected<clock::duration> parse_duration(std::string_view text);

/// Prints `d` in the largest unit that represents it exactly, e.g. "1500ms".
std::string format_duration(clock::duration d);

} // namespace horae
