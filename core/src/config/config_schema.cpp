// Validation of parsed settings against declared options.
#include <algorithm>

#include <caf/settings.hpp>

#include <horae/core/config/config_schema.hpp>
#include <horae/core/error.hpp>

namespace horae {

void config_schema::add(option_spec spec) {
  auto key = spec.key;
  options_.insert_or_assign(std::move(key), std::move(spec));
}

const option_spec* config_schema::find(const std::string& key) const noexcept {
  auto i = options_.find(key);
  return i != options_.end() ? &i->second : nullptr;
}

std::vector<std::string>
config_schema::siblings_of(const std::string& key) const {
  auto dot = key.rfind('.');
  auto prefix
    = dot == std::string::npos ? std::string{} : key.substr(0, dot + 1);
  std::vector<std::string> result;
  for (const auto& [name, spec] : options_) {
    if (name.compare(0, prefix.size(), prefix) != 0)
      continue;
    if (name.find('.', prefix.size()) == std::string::npos)
      result.push_back(name);
  }
  return result;
}

namespace {

std::string hint(const std::vector<std::string>& siblings) {
  if (siblings.empty())
    return "";
  std::string result = " (known keys here: ";
  for (size_t i = 0; i < siblings.size(); ++i) {
    if (i > 0)
      result += ", ";
    result += siblings[i];
  }
  result += ")";
  return result;
}

caf::error walk(const config_schema& schema, const caf::settings& dict,
                const std::string& prefix, const std::string& source) {
  for (const auto& [name, value] : dict) {
    auto key = prefix.empty() ? name : prefix + "." + name;
    if (auto spec = schema.find(key)) {
      if (auto err = spec->check(value, source))
        return err;
      continue;
    }
    if (auto sub = caf::get_if<caf::settings>(&value)) {
      if (auto err = walk(schema, *sub, key, source))
        return err;
      continue;
    }
    return make_error(errc::invalid_config, source + ": unknown key '" + key
                                              + "'"
                                              + hint(schema.siblings_of(key)));
  }
  return caf::none;
}

} // namespace

caf::error
config_schema::validate(const caf::settings& content, const std::string& source,
                        const std::vector<std::string>& skip_sections) const {
  for (const auto& [name, value] : content) {
    if (std::find(skip_sections.begin(), skip_sections.end(), name)
        != skip_sections.end())
      continue;
    caf::settings single;
    single.emplace(name, value);
    if (auto err = walk(*this, single, "", source))
      return err;
  }
  return caf::none;
}

void config_schema::fill_defaults(caf::settings& content) const {
  for (const auto& [key, spec] : options_)
    if (caf::get_if(&content, key) == nullptr)
      caf::put(content, key, spec.fallback);
}

} // namespace horae
