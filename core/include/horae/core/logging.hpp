// Logging through spdlog: one named logger per module ("horae.core",
// "horae.timers", ...), all sharing level, pattern and sinks from the config.
#pragma once

#include <memory>
#include <string_view>

#include <caf/error.hpp>

namespace spdlog {
class logger;
} // namespace spdlog

namespace horae {

class config;

namespace logging {

/// @returns the logger of `module`, e.g. logger("timers") is named
///          "horae.timers". Creates it with the current sinks on first use.
std::shared_ptr<spdlog::logger> logger(std::string_view module);

/// Applies the `horae.log` options of `cfg` to every existing and future
/// module logger. @returns an error if the log file cannot be opened.
caf::error configure(const config& cfg);

} // namespace logging

} // namespace horae
