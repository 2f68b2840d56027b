// Typed access to validated settings and the core option declarations.
#include <stdexcept>

#include <horae/core/config/config.hpp>
#include <horae/core/error.hpp>

namespace horae {

void add_core_options(config_schema& schema) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  schema.add(option_spec::string(
    "horae.log.level", "info", "minimum level of log records",
    {"trace", "debug", "info", "warn", "error", "critical", "off"}));
  schema.add(option_spec::string("horae.log.pattern",
                                 "[%Y-%m-%d %H:%M:%S.%e] [%n] [%l] %v",
                                 "spdlog pattern of every log line"));
  schema.add(option_spec::boolean("horae.log.console", true,
                                  "write log records to standard error"));
  schema.add(option_spec::string("horae.log.file", "",
                                 "also append log records to this file "
                                 "(empty: no file)"));
  schema.add(option_spec::integer("horae.scheduler.threads", 0, 0, 256,
                                  "CAF worker threads (0: one per core)"));
  schema.add(option_spec::boolean(
    "horae.scheduler.precise-wakeups", false,
    "wake CAF's threads when their sleep ends, not up to the kernel's "
    "timer slack (50 us on Linux) later: lower latency, more CPU"));
  schema.add(option_spec::integer(
    "horae.metrics.port", 0, 0, 65535,
    "serve metrics in Prometheus' text format over HTTP on this port "
    "(0: off)"));
  schema.add(option_spec::string("horae.metrics.address", "127.0.0.1",
                                 "address the metrics endpoint listens on"));
  schema.add(option_spec::duration(
    "horae.actors.idle-timeout", minutes{5}, clock::duration::zero(),
    hours{24 * 30},
    "deactivate a virtual actor after this long without messages "
    "(0s: never)"));
}

config::config() {
  add_core_options(schema_);
  schema_.fill_defaults(content_);
}

namespace {

const caf::config_value& lookup(const caf::settings& content,
                                const config_schema& schema,
                                const std::string& key) {
  if (auto value = caf::get_if(&content, key))
    return *value;
  if (auto spec = schema.find(key))
    return spec->fallback;
  throw std::logic_error("horae::config: undeclared option '" + key + "'");
}

template <class T>
const T& typed(const caf::config_value& value, const std::string& key) {
  if (auto ptr = caf::get_if<T>(&value))
    return *ptr;
  throw std::logic_error("horae::config: option '" + key
                         + "' read with the wrong type");
}

} // namespace

bool config::get_bool(const std::string& key) const {
  return typed<bool>(lookup(content_, schema_, key), key);
}

int64_t config::get_int(const std::string& key) const {
  return typed<int64_t>(lookup(content_, schema_, key), key);
}

clock::duration config::get_duration(const std::string& key) const {
  return typed<caf::timespan>(lookup(content_, schema_, key), key);
}

std::string config::get_string(const std::string& key) const {
  return typed<std::string>(lookup(content_, schema_, key), key);
}

std::vector<std::string> config::get_string_list(const std::string& key) const {
  const auto& xs
    = typed<caf::config_value::list>(lookup(content_, schema_, key), key);
  std::vector<std::string> result;
  result.reserve(xs.size());
  for (const auto& x : xs)
    result.push_back(typed<std::string>(x, key));
  return result;
}

const facet_descriptor*
config::find_facet(const std::string& name) const noexcept {
  for (const auto& mod : modules_)
    for (const auto& desc : mod.facets)
      if (desc.name == name)
        return &desc;
  return nullptr;
}

caf::error config::set(const std::string& key, caf::config_value value) {
  auto spec = schema_.find(key);
  if (!spec)
    return make_error(errc::invalid_config, "unknown key '" + key + "'");
  if (auto err = spec->check(value, "<code>"))
    return err;
  caf::put(content_, key, std::move(value));
  return caf::none;
}

void config::add_module(module mod) {
  for (const auto& spec : mod.options)
    schema_.add(spec);
  schema_.fill_defaults(content_);
  modules_.push_back(std::move(mod));
}

} // namespace horae
