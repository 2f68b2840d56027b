// Shared sinks and per-module spdlog loggers.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <horae/core/config/config.hpp>
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace horae::logging {

namespace {

// Loggers live here rather than in spdlog's global registry so that several
// runtimes in one process (as in tests) never collide on names.
struct state {
  std::mutex mtx;
  std::vector<spdlog::sink_ptr> sinks;
  spdlog::level::level_enum level = spdlog::level::info;
  std::string pattern = "[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v";
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
  bool configured = false;
};

state& instance() {
  static state st;
  return st;
}

void apply(state& st, spdlog::logger& lg) {
  lg.sinks() = st.sinks;
  lg.set_level(st.level);
  lg.set_pattern(st.pattern);
}

} // namespace

std::shared_ptr<spdlog::logger> logger(std::string_view module) {
  auto& st = instance();
  std::lock_guard<std::mutex> guard{st.mtx};
  if (!st.configured) {
    st.sinks = {std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
    st.configured = true;
  }
  if (auto i = st.loggers.find(module); i != st.loggers.end())
    return i->second;
  auto name = "horae." + std::string{module};
  auto result = std::make_shared<spdlog::logger>(name);
  apply(st, *result);
  st.loggers.emplace(std::string{module}, result);
  return result;
}

caf::error configure(const config& cfg) {
  std::vector<spdlog::sink_ptr> sinks;
  if (cfg.get_bool("horae.log.console"))
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (auto path = cfg.get_string("horae.log.file"); !path.empty()) {
    try {
      sinks.push_back(
        std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false));
    } catch (const spdlog::spdlog_ex& ex) {
      return make_error(errc::invalid_config,
                        cfg.source() + ": key 'horae.log.file': cannot open \""
                          + path + "\": " + ex.what());
    }
  }
  auto level = spdlog::level::from_str(cfg.get_string("horae.log.level"));
  auto& st = instance();
  std::lock_guard<std::mutex> guard{st.mtx};
  st.sinks = std::move(sinks);
  st.level = level;
  st.pattern = cfg.get_string("horae.log.pattern");
  st.configured = true;
  for (auto& [name, lg] : st.loggers)
    apply(st, *lg);
  return caf::none;
}

} // namespace horae::logging
