// Loading and validating config files and command-line overrides.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include <caf/actor_system_config.hpp>
#include <caf/settings.hpp>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/error.hpp>
#include <horae/core/version.hpp>

#include "config/caf_options.hpp"
#include "config/command_line.hpp"
#include "config/parse_errors.hpp"
#include "config/trim.hpp"

namespace horae {

namespace {

const std::string actor_section = "actor";

caf::error config_error(std::string msg) {
  return make_error(errc::invalid_config, std::move(msg));
}

using detail::trim;

/// Deepest nesting of lists and dictionaries a value may have. CAF's parser
/// recurses per level and overflows the stack long before any real config
/// needs this many.
constexpr int max_value_depth = 32;

/// Tracks `[`/`{` nesting of values across lines, outside quoted strings.
/// @returns false as soon as the depth exceeds `max_value_depth`.
bool track_depth(const std::string& text, int& depth) {
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = text[i];
    if (quote != 0) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > max_value_depth)
        return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// Catches what CAF 0.17's INI parser accepts but gets wrong (or crashes
// on), in one pass over the text: time linear in its size.
caf::error check_raw_text(const std::string& raw, const std::string& source) {
  std::istringstream in{raw};
  std::string line;
  std::unordered_map<std::string, size_t> sections; // name -> line
  std::unordered_map<std::string, size_t> keys;     // of the current section
  std::string section;
  int depth = 0;
  for (size_t number = 1; std::getline(in, line); ++number) {
    auto text = trim(line.substr(0, line.find(';')));
    auto where = source + ":" + std::to_string(number);
    if (text.empty())
      continue;
    if (depth == 0 && text.front() == '[' && text.back() == ']') {
      section = trim(text.substr(1, text.size() - 2));
      auto levels = 1 + std::count(section.begin(), section.end(), '.');
      if (levels > 2)
        return config_error(where + ": section [" + section
                            + "] nests deeper than two levels; write nested"
                              " settings as a dictionary value instead, e.g."
                              " timers={max-per-actor=100}");
      auto [seen, fresh] = sections.emplace(section, number);
      if (!fresh)
        return config_error(
          where + ": section [" + section + "] appears twice (first at line "
          + std::to_string(seen->second) + "); merge both into one");
      keys.clear();
      continue;
    }
    auto eq = depth == 0 ? text.find('=') : std::string::npos;
    if (eq != std::string::npos) {
      auto key = trim(text.substr(0, eq));
      auto [seen, fresh] = keys.emplace(key, number);
      if (!fresh)
        return config_error(
          where + ": key '" + (section.empty() ? key : section + "." + key)
          + "' appears twice in the section (first at line "
          + std::to_string(seen->second) + "); keep one of them");
    }
    if (!track_depth(eq == std::string::npos ? text : text.substr(eq + 1),
                     depth))
      return config_error(where
                          + ": value nests lists or dictionaries deeper "
                            "than "
                          + std::to_string(max_value_depth) + " levels");
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

/// One top-level piece of an INI text: a section header alone (so that
/// empty sections exist), or one entry (`key=value`, possibly over several
/// lines) after its section's header.
struct ini_piece {
  std::string text;
  size_t first_line; // of the entry, or of the header for a header alone
};

/// Splits `raw` into pieces that parse independently. CAF 0.17's parser
/// takes time quadratic in the entries of a file (it rebuilds the
/// dictionaries it fills); pieces of constant size keep loading linear.
/// Expects text that passed `check_raw_text`.
std::vector<ini_piece> split_ini(const std::string& raw) {
  std::vector<ini_piece> pieces;
  std::istringstream in{raw};
  std::string line;
  std::string header;
  int depth = 0;
  for (size_t number = 1; std::getline(in, line); ++number) {
    auto text = trim(line.substr(0, line.find(';')));
    if (depth > 0) {
      pieces.back().text += line;
      pieces.back().text += '\n';
      track_depth(text, depth);
      continue;
    }
    if (text.empty())
      continue;
    if (text.front() == '[' && text.back() == ']') {
      header = line + '\n';
      pieces.push_back({header, number});
      continue;
    }
    pieces.push_back({header + line + '\n', number});
    track_depth(text, depth);
  }
  return pieces;
}

/// Adds `from` to `into`, merging dictionaries of the same name. Works on
/// the underlying std::map: CAF's own lookups walk the map linearly.
void merge(caf::settings& into, caf::settings&& from) {
  auto& target = into.container();
  for (auto& [key, value] : from.container()) {
    auto i = target.find(key);
    auto sub = caf::get_if<caf::settings>(&value);
    if (i != target.end() && sub != nullptr)
      if (auto dict = caf::get_if<caf::settings>(&i->second)) {
        merge(*dict, std::move(*sub));
        continue;
      }
    target.insert_or_assign(key, std::move(value));
  }
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
    return option_spec::string_list(
      prefix + rest, {}, "facets every activation gets", facet_names(proto));
  if (rest == "idle-timeout")
    return option_spec::duration(
      prefix + rest, std::chrono::minutes{5}, clock::duration::zero(),
      std::chrono::hours{24 * 30}, "idle timeout of this actor type");
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

/// @returns the facet names every loaded module declares, for messages.
std::string known_facets_text(const config& proto) {
  std::string result;
  for (const auto& name : facet_names(proto))
    result += (result.empty() ? "" : ", ") + name;
  return result.empty() ? std::string{"none"} : result;
}

/// @returns the spec of option `key`: from the schema, or one of the
///          per-actor-type options.
std::optional<option_spec> find_option(const config& proto,
                                       const std::string& key) {
  if (auto ptr = proto.schema().find(key))
    return *ptr;
  if (key.compare(0, 6, "actor.") == 0) {
    auto dot = key.find('.', 6);
    if (dot != std::string::npos)
      return actor_option(proto, key.substr(6, dot - 6), key.substr(dot + 1));
  }
  return std::nullopt;
}

/// @returns how option `key` takes its value on the command line. CAF's
///          options always take one; CAF checks their names itself.
detail::option_arity arity_of(const config& proto, const std::string& key) {
  if (key.compare(0, 4, "caf.") == 0)
    return detail::option_arity::value;
  auto spec = find_option(proto, key);
  if (!spec)
    return detail::option_arity::unknown;
  return spec->type == option_type::boolean ? detail::option_arity::flag
                                            : detail::option_arity::value;
}

/// Parses each setting of `args` (`--key=value`, `--key value` or a bare
/// boolean `--key`) against the schema (or the actor options) and stores it
/// in `content` over the file's value. The actor types an argument
/// configures go to `from_command_line`.
caf::error apply_command_line(const config& proto,
                              const std::vector<std::string>& args,
                              caf::settings& content,
                              std::set<std::string>& from_command_line) {
  auto settings = detail::read_command_line(
    args, [&proto](const std::string& key) { return arity_of(proto, key); });
  if (!settings)
    return settings.error();
  for (const auto& [key, text] : *settings) {
    if (key.compare(0, 4, "caf.") == 0) {
      // CAF's own options go to the actor system as CAF reads them.
      auto value = detail::caf_options{}.parse(key.substr(4), text);
      if (!value)
        return config_error("command line: " + describe(value.error()));
      caf::put(content, key, std::move(*value));
      continue;
    }
    // read_command_line let only known options through.
    auto spec = find_option(proto, key);
    if (key.compare(0, 6, "actor.") == 0)
      from_command_line.insert(key.substr(6, key.find('.', 6) - 6));
    if (int depth = 0; !track_depth(text, depth))
      return config_error("command line: option '--" + key
                          + "' nests lists or dictionaries deeper than "
                          + std::to_string(max_value_depth) + " levels");
    auto value = spec->parse(text, "command line");
    if (!value)
      return value.error();
    caf::put(content, key, std::move(*value));
  }
  return caf::none;
}

/// Checks the dictionary `<facet>={...}` of section [actor.<type>] and
/// stores it in `section`.
caf::error read_facet_settings(const config& proto, const std::string& type,
                               const std::string& facet,
                               const caf::settings& given,
                               const std::string& where,
                               const std::string& source,
                               actor_type_options& section) {
  if (!proto.find_facet(facet))
    return config_error(where + ": unknown facet '" + facet
                        + "' (known facets: " + known_facets_text(proto) + ")");
  caf::settings settings;
  for (const auto& [key, setting] : given) {
    auto spec = actor_option(proto, type, facet + "." + key);
    if (!spec)
      return config_error(where + ": unknown setting '" + key + "' of facet '"
                          + facet + "'");
    if (auto err = spec->check(setting, source))
      return err;
    settings.insert_or_assign(key, setting);
  }
  section.facet_settings.insert_or_assign(facet, std::move(settings));
  return caf::none;
}

/// Checks `facets=[...]` or `idle-timeout=` of section [actor.<type>] and
/// stores it in `section`.
caf::error read_type_option(const config& proto, const std::string& type,
                            const std::string& name,
                            const caf::config_value& value,
                            const std::string& where, const std::string& source,
                            actor_type_options& section) {
  auto spec = actor_option(proto, type, name);
  if (!spec)
    return config_error(where + ": unknown key '" + name
                        + "' (known: facets, idle-timeout, and one"
                          " dictionary per facet)");
  if (auto err = spec->check(value, source))
    return err;
  if (name != "facets") {
    section.idle_timeout = caf::get<caf::timespan>(value);
    return caf::none;
  }
  for (const auto& x : caf::get<caf::config_value::list>(value)) {
    const auto& facet = caf::get<std::string>(x);
    // The choices check above is empty when no module declares facets, so
    // look every name up.
    if (proto.find_facet(facet) == nullptr)
      return config_error(where + ": unknown facet '" + facet
                          + "' in facets=[...]; no loaded module provides it");
    section.facets.push_back(facet);
  }
  return caf::none;
}

/// Reads section [actor.<type>]. Settings are checked here, where errors
/// can name their origin (the file, or the command line as well); the
/// registry completes them when the type is defined.
caf::expected<actor_type_options>
read_actor_section(const config& proto, const std::string& type,
                   const caf::config_value& body, const std::string& source,
                   bool from_command_line) {
  auto where = (from_command_line
                  ? source + " and the command line (--actor." + type + ".*)"
                  : source)
               + ": section [actor." + type + "]";
  auto dict = caf::get_if<caf::settings>(&body);
  if (!dict)
    return config_error(where + ": expected a section, got a value");
  actor_type_options section;
  for (const auto& [name, value] : *dict) {
    auto sub = caf::get_if<caf::settings>(&value);
    auto err
      = sub != nullptr
          ? read_facet_settings(proto, type, name, *sub, where, source, section)
          : read_type_option(proto, type, name, value, where, source, section);
    if (err)
      return err;
  }
  for (const auto& [name, settings] : section.facet_settings)
    if (std::find(section.facets.begin(), section.facets.end(), name)
        == section.facets.end())
      return config_error(where + ": settings for facet '" + name
                          + "' but the facet is not listed in facets=[...]");
  return section;
}

/// Reads every [actor.<type>] section of `content` into `out`.
caf::error read_actor_sections(const config& proto,
                               const caf::settings& content,
                               const std::string& source,
                               const std::set<std::string>& from_command_line,
                               std::map<std::string, actor_type_options>& out) {
  auto entry = content.find(actor_section);
  if (entry == content.end())
    return caf::none;
  auto types = caf::get_if<caf::settings>(&entry->second);
  if (types == nullptr)
    return config_error(source
                        + ": 'actor' must be a section, e.g. [actor.<type>]");
  for (const auto& [type, body] : *types) {
    auto section = read_actor_section(proto, type, body, source,
                                      from_command_line.count(type) > 0);
    if (!section)
      return section.error();
    out.insert_or_assign(type, std::move(*section));
  }
  return caf::none;
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

namespace {

/// @returns whether `argv` holds one of `names` as an argument of its own.
bool has_argument(int argc, const char* const* argv,
                  std::initializer_list<const char*> names) {
  for (int i = 1; i < argc; ++i)
    for (const auto* name : names)
      if (std::strcmp(argv[i], name) == 0)
        return true;
  return false;
}

} // namespace

bool config_loader::wants_help(int argc, const char* const* argv) {
  return has_argument(argc, argv, {"--help", "-h"});
}

bool config_loader::wants_version(int argc, const char* const* argv) {
  return has_argument(argc, argv, {"--version"});
}

std::string config_loader::version_text() const {
  return program_ + " (horae " + horae::version + ")\n";
}

bool config_loader::answer_info_request(int argc, const char* const* argv,
                                        std::ostream& out) const {
  if (wants_help(argc, argv))
    out << help_text();
  else if (wants_version(argc, argv))
    out << version_text();
  else
    return false;
  return true;
}

std::string config_loader::help_text() const {
  std::ostringstream out;
  out << "usage: " << program_
      << " [--config <file>] [--<key> <value> | --<key>=<value>]...\n"
      << "       " << program_ << " --help | --version\n\n"
      << "options (also settable in the config file; a boolean option\n"
         "given alone means true):\n";
  for (const auto& [key, spec] : proto_.schema().options())
    out << "  --" << key << (spec.type == option_type::boolean ? "[=<" : "=<")
        << to_string(spec.type)
        << (spec.type == option_type::boolean ? ">]" : ">") << "\n      "
        << spec.description << "; " << spec.expected_form() << " (default "
        << spec.default_text() << ")\n";
  out << "  --config=<file>\n      the config file to read (CAF's INI "
         "format)\n"
         "  --help, -h\n      print this text and exit\n"
         "  --version\n      print the program's name and horae's version "
         "and exit\n";
  out << "  --caf.<category>.<option>=<value>\n      CAF's own options, e.g. "
         "--caf.scheduler.max-throughput=100 or a [caf.scheduler] section;\n"
         "      checked against CAF's option table and passed to the actor "
         "system\n";
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

caf::expected<config> config_loader::load(int argc, const char* const* argv,
                                          const std::string& default_file,
                                          bool require_file) const {
  // `--config <file>` and `--config=<file>` choose the file; the other
  // settings go on, normalized to `--key=value`, to be applied over it.
  auto settings = detail::read_command_line(
    {argv + std::min(argc, 1), argv + argc}, [this](const std::string& key) {
      return key == "config" ? detail::option_arity::value
                             : arity_of(proto_, key);
    });
  if (!settings)
    return settings.error();
  std::vector<std::string> args;
  std::string file = default_file;
  bool explicit_file = false;
  for (const auto& [key, value] : *settings) {
    if (key == "config") {
      file = value;
      explicit_file = true;
    } else {
      args.push_back("--" + key + "=" + value);
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
    return config_error(path
                        + ": cannot open config file (does it exist and"
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
  caf::settings content;
  for (auto& piece : split_ini(ini_text)) {
    std::istringstream in{piece.text};
    auto parsed = caf::actor_system_config::parse_config(in);
    if (!parsed)
      return config_error(
        source + ":" + std::to_string(piece.first_line) + ": "
        + detail::explain_parse_error(parsed.error(), piece.text));
    merge(content, std::move(*parsed));
  }
  return finish(std::move(content), args, source);
}

caf::expected<config>
config_loader::finish(caf::settings content,
                      const std::vector<std::string>& args,
                      const std::string& source) const {
  config result = proto_;
  result.source_ = source;
  // Validate the file before applying overrides, so errors name the origin.
  if (auto err
      = result.schema_.validate(content, source, {actor_section, "caf"}))
    return err;
  if (auto i = content.find("caf"); i != content.end()) {
    auto section = caf::get_if<caf::settings>(&i->second);
    if (section == nullptr)
      return config_error(source
                          + ": 'caf' must be a section, e.g. "
                            "[caf.scheduler]");
    detail::caf_options table;
    for (const auto& [name, value] : detail::leaves(*section))
      if (auto err = table.check(name, value))
        return config_error(source + ": " + describe(err));
  }
  std::set<std::string> from_command_line;
  if (auto err = apply_command_line(result, args, content, from_command_line))
    return err;
  if (auto err = read_actor_sections(result, content, source, from_command_line,
                                     result.actor_types_))
    return err;
  result.schema_.fill_defaults(content);
  result.content_ = std::move(content);
  return result;
}

} // namespace horae
