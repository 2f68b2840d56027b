// Start, summary and end lines of persistent faults.
#include "reminders/fault_log.hpp"

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>

#include <spdlog/spdlog.h>

namespace horae::detail {

namespace {

std::string seconds_between(clock::time_point from, clock::time_point to) {
  return format_duration(
    std::chrono::duration_cast<std::chrono::seconds>(to - from));
}

} // namespace

fault_log::fault_log(std::string what, clock::duration summary_every)
  : what_(std::move(what)), summary_every_(summary_every) {
  // nop
}

void fault_log::failure(const caf::error& err, clock::time_point now) {
  auto log = logging::logger("reminders");
  ++total_;
  if (!active_) {
    active_ = true;
    since_ = last_summary_ = now;
    since_summary_ = 0;
    log->error("{} failing: {}; retrying, a summary follows every {} while "
               "it lasts",
               what_, describe(err), format_duration(summary_every_));
    return;
  }
  ++since_summary_;
  if (now - last_summary_ < summary_every_)
    return;
  log->warn("{} still failing for {} ({} more failures); last error: {}", what_,
            seconds_between(since_, now), since_summary_, describe(err));
  last_summary_ = now;
  since_summary_ = 0;
}

void fault_log::success(clock::time_point now) {
  if (!active_)
    return;
  logging::logger("reminders")
    ->info("{} recovered after {} and {} failure(s)", what_,
           seconds_between(since_, now), total_);
  active_ = false;
  total_ = 0;
}

} // namespace horae::detail
