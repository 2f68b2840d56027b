// Loading and validating config files and command-line overrides.
#include <horae/core/config/config_loader.hpp>

#include <fstream>
#include <sstream>

#include <caf/actor_system_config.hpp>
#include <caf/settings.hpp>

#include <horae/core/error.hpp>

namespace horae {

namespace {

const std::string actor_section = "actor";

caf::error config_error(std::string msg) {
  return make_error(errc::invalid_config, std::move(msg));
}

std::string trim(std::string str) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!str.empty() && is_space(str.front()))
    str.erase(0, 1);
  while (!str.empty() && is_space(str.back()))
    str.pop_back();
  return str;
}

// Catches what CAF 0.17's INI parser accepts but gets wrong.
caf::error check_raw_text(const std::string& raw, const std::string& source) {
  std::istringstream in{raw};
  std::string line;
  std::vector<std::string> sections;
  std::string section;
  for (size_t number = 1; std::getline(in, line); ++number) {
    auto text = trim(line.substr(0, line.find(';')));
    auto where = source + ":" + std::to_string(number);
    if (text.empty())
      continue;
    if (text.front() == '[' && text.back() == ']') {
      section = trim(text.substr(1, text.size() - 2));
      auto depth = 1 + std::count(section.begin(), section.end(), '.');
      if (depth > 2)
        return config_error(where + ": section [" + section
                            + "] nests deeper than two levels; write nested"
                              " settings as a dictionary value instead, e.g."
                              " timers={max-per-actor=100}");
      for (const auto& seen : sections)
        if (seen == section)
          return config_error(where + ": section [" + section
                              + "] appears twice; merge both into one");
      sections.push_back(section);
      continue;
    }
    auto eq = text.find('=');
    if (eq == std::string::npos)
      continue;
    auto value = trim(text.substr(eq + 1));
    if (value.size() > 1 && value.front() == '-'
        && std::isdigit(static_cast<unsigned char>(value[1]))) {
      auto last = value.find_last_of("0123456789");
      auto unit = value.substr(last + 1);
      if (!unit.empty() && std::isalpha(static_cast<unsigned char>(unit[0]))) {
        auto key = trim(text.substr(0, eq));
        auto full = section.empty() ? key : section + "." + key;
        return config_error(where + ": key '" + full + "': negative duration "
                            + value + " is not allowed");
      }
    }
  }
  return caf::none;
}

// Splits "--key=value"; returns false for anything else.
bool split_arg(const std::string& arg, std::string& key, std::string& value) {
  if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
    return false;
  auto eq = arg.find('=');
  if (eq == std::string::npos)
    return false;
  key = arg.substr(2, eq - 2);
  value = arg.substr(eq + 1);
  return !key.empty();
}

std::vector<std::string> facet_names(const config& proto) {
  std::vector<std::string> result;
  for (const auto& mod : proto.modules())
    for (const auto& desc : mod.facets)
      result.push_back(desc.name);
  return result;
}

// The spec of `actor.<type>.<rest>`, where rest is "facets", "idle-timeout"
// or "<facet>.<setting>".
std::optional<option_spec> actor_option(const config& proto,
                                        const std::string& type,
                                        const std::string& rest) {
  auto prefix = std::string{actor_section} + "." + type + ".";
  if (rest == "facets")
    return option_spec::string_list(prefix + rest, {},
                                    "facets every activation gets",
                                    facet_names(proto));
  if (rest == "idle-timeout")
    return option_spec::duration(prefix + rest, std::chrono::minutes{5},
                                 clock::duration::zero(),
                                 std::chrono::hours{24 * 30},
                                 "idle timeout of this actor type");
  auto dot = rest.find('.');
  if (dot == std::string::npos)
    return std::nullopt;
  auto desc = proto.find_facet(rest.substr(0, dot));
  if (!desc)
    return std::nullopt;
  auto setting = rest.substr(dot + 1);
  for (auto spec : desc->settings) {
    if (spec.key == setting) {
      spec.key = prefix + rest;
      return spec;
    }
  }
  return std::nullopt;
}

} // namespace

config_loader::config_loader(std::string program)
  : program_(std::move(program)) {
  // nop
}

config_loader& config_loader::add_module(module mod) {
  proto_.add_module(std::move(mod));
  return *this;
}

config_loader& config_loader::add_option(option_spec spec) {
  proto_.schema_.add(std::move(spec));
  proto_.schema_.fill_defaults(proto_.content_);
  return *this;
}

bool config_loader::wants_help(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h")
      return true;
  }
  return false;
}

std::string config_loader::help_text() const {
  std::ostringstream out;
  out << "usage: " << program_ << " [--config=<file>] [--<key>=<value>...]\n\n"
      << "options (also settable in the config file):\n";
  for (const auto& [key, spec] : proto_.schema().options())
    out << "  --" << key << "=<" << to_string(spec.type) << ">\n      "
        << spec.description << "; " << spec.expected_form() << " (default "
        << spec.default_text() << ")\n";
  auto facets = facet_names(proto_);
  if (!facets.empty()) {
    out << "\nper actor type, in a section [actor.<type>]:\n"
        << "  facets=[...]        any of:";
    for (const auto& name : facets)
      out << ' ' << name;
    out << "\n  idle-timeout=<duration>\n";
    for (const auto& mod : proto_.modules())
      for (const auto& desc : mod.facets)
        for (const auto& spec : desc.settings)
          out << "  " << desc.name << "={" << spec.key << "=<"
              << to_string(spec.type) << ">}  " << spec.description
              << " (default " << spec.default_text() << ")\n";
  }
  return out.str();
}

caf::expected<config>
config_loader::load(int argc, const char* const* argv,
                    const std::string& default_file, bool require_file) const {
  std::vector<std::string> args;
  std::string file = default_file;
  bool explicit_file = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.compare(0, 9, "--config=") == 0) {
      file = arg.substr(9);
      explicit_file = true;
    } else {
      args.push_back(std::move(arg));
    }
  }
  if (file.empty())
    return load_text("", args, "<command line>");
  std::ifstream probe{file};
  if (!probe && !explicit_file && !require_file)
    return load_text("", args, "<command line>");
  return load_file(file, args);
}

caf::expected<config>
config_loader::load_file(const std::string& path,
                         const std::vector<std::string>& args) const {
  std::ifstream in{path};
  if (!in)
    return config_error(path + ": cannot open config file (does it exist and"
                               " is it readable?)");
  std::ostringstream buf;
  buf << in.rdbuf();
  return load_text(buf.str(), args, path);
}

caf::expected<config>
config_loader::load_text(const std::string& ini_text,
                         const std::vector<std::string>& args,
                         const std::string& source) const {
  if (auto err = check_raw_text(ini_text, source))
    return err;
  std::istringstream in{ini_text};
  auto parsed = caf::actor_system_config::parse_config(in);
  if (!parsed)
    return config_error(source + ": cannot parse: "
                        + caf::to_string(parsed.error()));
  return finish(std::move(*parsed), args, source);
}

caf::expected<config>
config_loader::finish(caf::settings content,
                      const std::vector<std::string>& args,
                      const std::string& source) const {
  config result = proto_;
  result.source_ = source;
  // Validate the file before applying overrides, so errors name the origin.
  if (auto err = result.schema_.validate(content, source, {actor_section}))
    return err;
  for (const auto& arg : args) {
    std::string key;
    std::string text;
    if (!split_arg(arg, key, text))
      return config_error("command line: cannot read argument '" + arg
                          + "'; expected --<key>=<value>");
    std::optional<option_spec> spec;
    if (auto ptr = result.schema_.find(key)) {
      spec = *ptr;
    } else if (key.compare(0, 6, "actor.") == 0) {
      auto dot = key.find('.', 6);
      if (dot != std::string::npos)
        spec = actor_option(result, key.substr(6, dot - 6),
                            key.substr(dot + 1));
    }
    if (!spec)
      return config_error("command line: unknown option '--" + key + "'"
                          + " (--help lists every option)");
    auto value = spec->parse(text, "command line");
    if (!value)
      return value.error();
    caf::put(content, key, std::move(*value));
  }
  // Per-actor-type sections.
  auto section_entry = content.find(actor_section);
  auto types = section_entry != content.end()
                 ? caf::get_if<caf::settings>(&section_entry->second)
                 : nullptr;
  if (section_entry != content.end() && types == nullptr)
    return config_error(source + ": 'actor' must be a section, e.g. "
                                 "[actor.<type>]");
  if (types != nullptr) {
    for (const auto& [type, body] : *types) {
      auto where = source + ": section [actor." + type + "]";
      auto dict = caf::get_if<caf::settings>(&body);
      if (!dict)
        return config_error(where + ": expected a section, got a value");
      actor_type_section section;
      for (const auto& [name, value] : *dict) {
        if (auto sub = caf::get_if<caf::settings>(&value)) {
          auto desc = result.find_facet(name);
          if (!desc)
            return config_error(where + ": unknown facet '" + name
                                + "' (known facets: "
                                + [&] {
                                    std::string s;
                                    for (auto& n : facet_names(result))
                                      s += (s.empty() ? "" : ", ") + n;
                                    return s.empty() ? std::string{"none"} : s;
                                  }()
                                + ")");
          caf::settings settings;
          for (const auto& [key, setting] : *sub) {
            auto spec = actor_option(result, type, name + "." + key);
            if (!spec)
              return config_error(where + ": unknown setting '" + key
                                  + "' of facet '" + name + "'");
            if (auto err = spec->check(setting, source))
              return err;
            settings.insert_or_assign(key, setting);
          }
          for (const auto& spec : desc->settings)
            if (settings.count(spec.key) == 0)
              settings.insert_or_assign(spec.key, spec.fallback);
          section.facet_settings.insert_or_assign(name, std::move(settings));
          continue;
        }
        auto spec = actor_option(result, type, name);
        if (!spec)
          return config_error(where + ": unknown key '" + name
                              + "' (known: facets, idle-timeout, and one"
                                " dictionary per facet)");
        if (auto err = spec->check(value, source))
          return err;
        if (name == "facets") {
          for (const auto& x : caf::get<caf::config_value::list>(value)) {
            const auto& facet_name = caf::get<std::string>(x);
            // The choices check above is empty when no module declares
            // facets, so look every name up.
            if (result.find_facet(facet_name) == nullptr)
              return config_error(where + ": unknown facet '" + facet_name
                                  + "' in facets=[...]; no loaded module "
                                    "provides it");
            section.facets.push_back(facet_name);
          }
        } else {
          section.idle_timeout = caf::get<caf::timespan>(value);
        }
      }
      for (const auto& [name, settings] : section.facet_settings) {
        if (std::find(section.facets.begin(), section.facets.end(), name)
            == section.facets.end())
          return config_error(where + ": settings for facet '" + name
                              + "' but the facet is not listed in facets=[...]");
      }
      for (const auto& name : section.facets) {
        if (section.facet_settings.count(name) == 0) {
          caf::settings defaults;
          for (const auto& spec : result.find_facet(name)->settings)
            defaults.insert_or_assign(spec.key, spec.fallback);
          section.facet_settings.insert_or_assign(name, std::move(defaults));
        }
      }
      result.actor_types_.insert_or_assign(type, std::move(section));
    }
  }
  result.schema_.fill_defaults(content);
  result.content_ = std::move(content);
  return result;
}

} // namespace horae
