// Parsing and printing of durations such as "500ms", "2s" or "1h", shared by
// the config loader and the examples' command lines.
#pragma once

#include <optional>
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

/// @returns the whole-number form of a fractional duration such as "1.5s"
///          ("1500ms"), for messages that tell people what to write; none
///          if `text` is not such a duration.
std::optional<std::string> whole_duration_for(std::string_view text);

/// @returns `d` for people to read: the largest unit in which it is at least
///          1, with at most three significant digits, e.g. "83.3ms" for
///          83,333,333 ns or "1.5min" for 90 s. Unlike `format_duration`
///          the text may be rounded; use it for output, not for config.
std::string describe_duration(clock::duration d);

} // namespace horae
