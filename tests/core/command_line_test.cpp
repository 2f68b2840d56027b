// The command line every horae program gets from config_loader: values
// attached with '=' or given as the next argument, boolean flags alone,
// --help, --version, and errors that name the command line.
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/error.hpp>
#include <horae/core/version.hpp>

#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

config_loader make_loader() {
  config_loader loader{"app"};
  loader.add_option(option_spec::string("db", "", "database file"));
  loader.add_option(
    option_spec::duration("duration", 1s, 0s, 24h, "how long to run"));
  loader.add_option(option_spec::boolean("verbose", false, "say more"));
  return loader;
}

/// Loads `args` as a program's command line, with no config file.
caf::expected<config> load(std::vector<std::string> args) {
  std::vector<const char*> argv{"app"};
  for (const auto& arg : args)
    argv.push_back(arg.c_str());
  return make_loader().load(static_cast<int>(argv.size()), argv.data(), "");
}

std::string error_of(const caf::expected<config>& cfg) {
  EXPECT_FALSE(cfg) << "expected an error";
  return cfg ? std::string{} : describe(cfg.error());
}

/// Expects each command line of `cases` to fail with `message`.
void expect_error_for_each(
  std::initializer_list<std::vector<std::string>> cases,
  const std::string& message) {
  for (const auto& args : cases) {
    auto text = error_of(load(args));
    EXPECT_NE(text.find(message), std::string::npos) << text;
  }
}

/// @returns what `answer_info_request` printed for `arg`, or "<none>".
std::string info_for(const char* arg) {
  const char* argv[] = {"app", arg};
  std::ostringstream out;
  if (!make_loader().answer_info_request(2, argv, out))
    return "<none>";
  return out.str();
}

} // namespace

// `--db x` sets the option like `--db=x`.
TEST(CommandLine, ValueAsNextArgument) {
  auto cfg = load({"--db", "x.db", "--duration", "3s"});
  ASSERT_TRUE(cfg) << describe(cfg.error());
  EXPECT_EQ(cfg->get_string("db"), "x.db");
  EXPECT_EQ(cfg->get_duration("duration"), 3s);
}

// `--db=x` keeps working, also with '=' inside the value.
TEST(CommandLine, ValueAfterEquals) {
  auto cfg = load({"--db=x=y.db"});
  ASSERT_TRUE(cfg) << describe(cfg.error());
  EXPECT_EQ(cfg->get_string("db"), "x=y.db");
}

// `--config <file>` names the file like `--config=<file>`.
TEST(CommandLine, ConfigFileAsNextArgument) {
  auto text = error_of(load({"--config", "/nonexistent/app.ini"}));
  EXPECT_NE(text.find("/nonexistent/app.ini: cannot open config file"),
            std::string::npos)
    << text;
}

// A boolean option alone means true; `=false` sets it explicitly.
TEST(CommandLine, FlagAloneMeansTrue) {
  auto on = load({"--verbose", "--db", "x"});
  ASSERT_TRUE(on) << describe(on.error());
  EXPECT_TRUE(on->get_bool("verbose"));
  EXPECT_EQ(on->get_string("db"), "x");
  auto off = load({"--verbose=false"});
  ASSERT_TRUE(off) << describe(off.error());
  EXPECT_FALSE(off->get_bool("verbose"));
}

// An unknown option is named, whether or not a value follows.
TEST(CommandLine, UnknownOptionIsNamed) {
  expect_error_for_each(
    {{"--nope", "x"}, {"--nope"}},
    "command line: unknown option '--nope' (--help lists every option)");
}

// An option without its value, at the end or before the next option, says
// how to give one.
TEST(CommandLine, MissingValueIsNamed) {
  expect_error_for_each(
    {{"--db"}, {"--db", "--verbose"}},
    "command line: option '--db' needs a value: --db=<value> or --db <value>");
}

// A value beginning with '-' is a value: a negative duration reaches the
// range check instead of reading as a missing value.
TEST(CommandLine, NegativeValueReachesRangeCheck) {
  auto text = error_of(load({"--duration", "-3s"}));
  EXPECT_NE(text.find("negative"), std::string::npos) << text;
  EXPECT_EQ(text.find("needs a value"), std::string::npos) << text;
}

// `--version` prints the program's name and horae's version.
TEST(CommandLine, VersionNamesProgramAndHorae) {
  EXPECT_EQ(info_for("--version"),
            std::string{"app (horae "} + horae::version + ")\n");
  EXPECT_EQ(std::string{horae::version},
            std::to_string(HORAE_VERSION_MAJOR) + "."
              + std::to_string(HORAE_VERSION_MINOR) + "."
              + std::to_string(HORAE_VERSION_PATCH));
}

// `--help` lists every option with its type, range and default, and the
// ways to give values.
TEST(CommandLine, HelpListsEveryOption) {
  auto text = info_for("--help");
  for (const auto* part :
       {"usage: app [--config <file>] [--<key> <value> | --<key>=<value>]",
        "--db=<string>", "--duration=<duration>", "(default 1s)",
        "--verbose[=<boolean>]", "--horae.log.level=<string>", "--version",
        "--help"})
    EXPECT_NE(text.find(part), std::string::npos)
      << "'" << part << "' missing in: " << text;
  EXPECT_EQ(info_for("-h"), text);
  EXPECT_EQ(info_for("--db"), "<none>");
}
