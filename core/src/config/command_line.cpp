// Splitting command-line arguments into settings; see command_line.hpp.
#include "config/command_line.hpp"

#include <horae/core/error.hpp>

namespace horae::detail {

namespace {

bool is_option(const std::string& arg) {
  return arg.size() > 2 && arg.compare(0, 2, "--") == 0;
}

caf::error command_line_error(const std::string& what) {
  return make_error(errc::invalid_config, "command line: " + what);
}

} // namespace

caf::expected<std::vector<command_line_setting>> read_command_line(
  const std::vector<std::string>& args,
  const std::function<option_arity(const std::string&)>& arity_of) {
  std::vector<command_line_setting> result;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (!is_option(arg))
      return command_line_error("cannot read argument '" + arg
                                + "'; expected --<key>=<value> or --<key> "
                                  "<value>");
    auto eq = arg.find('=');
    auto key = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
    auto arity = arity_of(key);
    if (key.empty() || arity == option_arity::unknown)
      return command_line_error("unknown option '--" + key
                                + "' (--help lists every option)");
    if (eq != std::string::npos) {
      result.emplace_back(std::move(key), arg.substr(eq + 1));
    } else if (arity == option_arity::flag) {
      result.emplace_back(std::move(key), "true");
    } else if (i + 1 < args.size() && !is_option(args[i + 1])) {
      result.emplace_back(std::move(key), args[++i]);
    } else {
      return command_line_error("option '--" + key + "' needs a value: --" + key
                                + "=<value> or --" + key + " <value>");
    }
  }
  return result;
}

} // namespace horae::detail
