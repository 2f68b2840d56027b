// Lookup and checks of CAF's own options.
#include "config/caf_options.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/config_option_set.hpp>

#include <horae/core/error.hpp>

namespace horae::detail {

/// CAF keeps its option table protected inside actor_system_config.
struct caf_options::table : caf::actor_system_config {
  const caf::config_option_set& options() const noexcept {
    return custom_options_;
  }
};

namespace {

std::string type_of(const caf::config_option& opt) {
  auto name = opt.type_name(); // CAF's own string_view type
  return std::string{name.begin(), name.end()};
}

} // namespace

caf_options::caf_options() : table_(std::make_unique<table>()) {
  // nop
}

caf_options::~caf_options() = default;

caf::expected<caf::config_value>
caf_options::parse(const std::string& name, const std::string& text) const {
  auto opt = table_->options().qualified_name_lookup(name);
  if (opt == nullptr)
    return make_error(errc::invalid_config,
                      "unknown CAF option 'caf." + name + "'");
  auto value = opt->parse(text);
  if (!value)
    return make_error(errc::invalid_config,
                      "CAF option 'caf." + name + "': cannot read \"" + text
                        + "\"; expected " + type_of(*opt));
  return value;
}

caf::error caf_options::check(const std::string& name,
                              const caf::config_value& value) const {
  auto opt = table_->options().qualified_name_lookup(name);
  if (opt == nullptr)
    return make_error(errc::invalid_config,
                      "unknown CAF option 'caf." + name + "'");
  if (opt->check(value))
    return make_error(errc::invalid_config,
                      "CAF option 'caf." + name + "': expected " + type_of(*opt)
                        + ", got " + caf::to_string(value));
  return caf::none;
}

std::vector<std::pair<std::string, caf::config_value>>
leaves(const caf::settings& section) {
  std::vector<std::pair<std::string, caf::config_value>> result;
  for (const auto& [key, value] : section) {
    if (auto sub = caf::get_if<caf::settings>(&value)) {
      for (auto& [name, leaf] : leaves(*sub))
        result.emplace_back(key + "." + name, std::move(leaf));
    } else {
      result.emplace_back(key, value);
    }
  }
  return result;
}

} // namespace horae::detail
