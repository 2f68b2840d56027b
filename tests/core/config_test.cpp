// Config loading: every error names the file, the key and the expected form.
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>

#include <caf/actor_system_config.hpp>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "core/support/probe_facet.hpp"
#include "support/log_counter.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

config_loader make_loader() {
  config_loader loader{"test"};
  loader.add_module(test::probe_module(std::make_shared<test::journal>()));
  loader.add_option(
    option_spec::duration("duration", 0s, 0s, 24h, "stop after this long"));
  return loader;
}

std::string error_text(const caf::expected<config>& x) {
  EXPECT_FALSE(x) << "expected an error";
  return x ? std::string{} : describe(x.error());
}

void expect_contains(const std::string& text,
                     std::initializer_list<const char*> parts) {
  for (auto part : parts)
    EXPECT_NE(text.find(part), std::string::npos)
      << "'" << part << "' missing in: " << text;
}

} // namespace

// A valid file is read, and defaults fill the rest.
TEST(Config, ReadsValidFileAndFillsDefaults) {
  auto cfg = make_loader().load_text("[horae.log]\nlevel=\"debug\"\n");
  ASSERT_TRUE(cfg) << describe(cfg.error());
  EXPECT_EQ(cfg->get_string("horae.log.level"), "debug");
  EXPECT_EQ(cfg->get_duration("horae.actors.idle-timeout"), 5min);
}

// An unknown key is rejected and the message names file, key and siblings.
TEST(Config, UnknownKeyNamesFileAndKey) {
  auto text = error_text(
    make_loader().load_text("[horae.log]\nlevl=\"debug\"\n", {}, "app.ini"));
  expect_contains(
    text, {"app.ini", "unknown key 'horae.log.levl'", "horae.log.level"});
}

// A wrong type gives the expected form.
TEST(Config, WrongTypeGivesExpectedForm) {
  auto text = error_text(make_loader().load_text(
    "[horae.actors]\nidle-timeout=\"soon\"\n", {}, "app.ini"));
  expect_contains(text, {"app.ini", "horae.actors.idle-timeout", "wrong type",
                         "a duration from"});
}

// An out-of-range value is rejected with the range.
TEST(Config, OutOfRangeValueGivesRange) {
  auto text = error_text(make_loader().load_text(
    "[horae.scheduler]\nthreads=1000\n", {}, "app.ini"));
  expect_contains(text, {"app.ini", "horae.scheduler.threads", "out of range",
                         "from 0 to 256"});
}

// A string outside its choices is rejected with the choices.
TEST(Config, ChoiceViolationListsChoices) {
  auto text = error_text(
    make_loader().load_text("[horae.log]\nlevel=\"loud\"\n", {}, "app.ini"));
  expect_contains(text, {"horae.log.level", "\"warn\""});
}

// A missing file given explicitly is an error naming it.
TEST(Config, MissingFileIsNamed) {
  const char* argv[] = {"prog", "--config=/nonexistent/horae.ini"};
  auto text = error_text(make_loader().load(2, argv, "default.ini"));
  expect_contains(text, {"/nonexistent/horae.ini", "cannot open"});
}

// A missing default file is fine: defaults apply.
TEST(Config, MissingDefaultFileFallsBackToDefaults) {
  const char* argv[] = {"prog"};
  auto cfg = make_loader().load(1, argv, "/nonexistent/default.ini");
  ASSERT_TRUE(cfg) << describe(cfg.error());
}

// CAF 0.17 reads "-3s" as zero; horae rejects it with the line number.
TEST(Config, NegativeDurationInFileIsRejected) {
  auto text = error_text(make_loader().load_text(
    "[horae.actors]\nidle-timeout=-3s\n", {}, "app.ini"));
  expect_contains(
    text, {"app.ini:2", "horae.actors.idle-timeout", "negative duration"});
}

// Sections deeper than two levels would lose their parent's keys in CAF
// 0.17's parser, so they are rejected.
TEST(Config, DeepSectionIsRejected) {
  auto text = error_text(make_loader().load_text(
    "[actor.billing.probe]\npriority=1\n", {}, "app.ini"));
  expect_contains(text, {"app.ini:1", "two levels", "dictionary value"});
}

// A repeated section would replace the first one's keys.
TEST(Config, DuplicateSectionIsRejected) {
  auto text = error_text(make_loader().load_text(
    "[horae.log]\nlevel=\"info\"\n[horae.log]\nconsole=false\n", {},
    "app.ini"));
  expect_contains(text, {"app.ini:3", "appears twice"});
}

// Syntax errors name the file, the line and the key.
TEST(Config, SyntaxErrorIsReported) {
  auto text = error_text(
    make_loader().load_text("[horae.log]\nlevel=\n", {}, "app.ini"));
  expect_contains(text, {"app.ini:2", "key 'level'"});
}

// CAF's parser errors come out in words, with what to write instead.
TEST(Config, ParserErrorsAreTranslated) {
  auto loader = make_loader();
  expect_contains(
    error_text(loader.load_text("[horae.log]\nlevel=warn\n", {}, "app.ini")),
    {"app.ini:2", "key 'level'", "strings must be quoted", "level=\"warn\""});
  expect_contains(error_text(loader.load_text(
                    "[horae.actors]\nidle-timeout=1.5s\n", {}, "app.ini")),
                  {"app.ini:2", "durations are whole numbers",
                   "use idle-timeout=1500ms instead of 1.5s"});
  expect_contains(error_text(loader.load_text("", {"--duration=0.25min"})),
                  {"command line", "durations are whole numbers: use 15s"});
  EXPECT_EQ(whole_duration_for("2.5ms"), std::optional<std::string>{"2500us"});
  EXPECT_EQ(whole_duration_for("1.5"), std::nullopt);
  EXPECT_EQ(whole_duration_for("1.0000000001s"), std::nullopt);
}

// CAF's own options pass through to the actor system, checked against CAF's
// option table, from the command line or a [caf.<category>] section.
TEST(Config, CafOptionsPassThroughToTheActorSystem) {
  auto loader = make_loader();
  auto cfg = loader.load_text("[caf.scheduler]\nmax-throughput=7\n",
                              {"--caf.scheduler.max-threads=3"});
  ASSERT_TRUE(cfg) << describe(cfg.error());
  cfg->manual_time = true;
  auto rt = runtime::make(std::move(*cfg));
  ASSERT_TRUE(rt) << describe(rt.error());
  const auto& sys_cfg = (*rt)->system().config();
  EXPECT_EQ(caf::get_or(sys_cfg, "scheduler.max-throughput", size_t{0}), 7u);
  EXPECT_EQ(caf::get_or(sys_cfg, "scheduler.max-threads", size_t{0}), 3u);
  expect_contains(error_text(loader.load_text("", {"--caf.nope.x=1"})),
                  {"command line", "unknown CAF option 'caf.nope.x'"});
  expect_contains(
    error_text(loader.load_text("", {"--caf.scheduler.max-threads=many"})),
    {"caf.scheduler.max-threads", "cannot read \"many\""});
  expect_contains(error_text(loader.load_text(
                    "[caf.scheduler]\nmax-threads=\"x\"\n", {}, "app.ini")),
                  {"app.ini", "caf.scheduler.max-threads", "expected"});
}

// Command-line overrides win over the file and are type-checked.
TEST(Config, CommandLineOverridesFile) {
  auto cfg = make_loader().load_text(
    "[horae.actors]\nidle-timeout=10s\n",
    {"--horae.actors.idle-timeout=2min", "--duration=3s"});
  ASSERT_TRUE(cfg) << describe(cfg.error());
  EXPECT_EQ(cfg->get_duration("horae.actors.idle-timeout"), 2min);
  EXPECT_EQ(cfg->get_duration("duration"), 3s);
}

// Bad command-line options are errors naming the option.
TEST(Config, CommandLineErrors) {
  auto loader = make_loader();
  expect_contains(error_text(loader.load_text("", {"--nope=1"})),
                  {"unknown option '--nope'"});
  expect_contains(error_text(loader.load_text("", {"--duration=-1s"})),
                  {"duration", "negative"});
  expect_contains(error_text(loader.load_text("", {"--duration=10"})),
                  {"missing unit"});
  expect_contains(error_text(loader.load_text("", {"stray"})),
                  {"cannot read argument 'stray'"});
  // As configuration.md shows it: a bare unknown option, and a known one
  // given without its value.
  expect_contains(
    error_text(loader.load_text("", {"--nope"})),
    {"command line: unknown option '--nope'", "--help lists every option"});
  expect_contains(error_text(loader.load_text("", {"--duration"})),
                  {"option '--duration' needs a value: --duration=<value> "
                   "or --duration <value>"});
  // A command-line setting for an actor type is named as such when its
  // section is incomplete, not blamed on the file alone.
  expect_contains(error_text(loader.load_text(
                    "", {"--actor.poller.probe.priority=10"}, "app.ini")),
                  {"app.ini and the command line (--actor.poller.*)",
                   "[actor.poller]", "not listed in facets=[...]"});
  expect_contains(
    error_text(loader.load_text("", {"--horae.scheduler.threads=x"})),
    {"horae.scheduler.threads", "cannot read \"x\""});
}

// Actor-type sections declare facets and their settings.
TEST(Config, ActorTypeSectionDeclaresFacets) {
  auto cfg = make_loader().load_text(
    "[actor.billing]\nfacets=[\"probe\"]\nidle-timeout=30s\n"
    "probe={priority=7}\n");
  ASSERT_TRUE(cfg) << describe(cfg.error());
  const auto& types = cfg->actor_types();
  ASSERT_EQ(types.count("billing"), 1u);
  const auto& billing = types.at("billing");
  EXPECT_EQ(billing.facets, std::vector<std::string>{"probe"});
  EXPECT_EQ(billing.idle_timeout, std::optional<clock::duration>{30s});
  EXPECT_EQ(caf::get_or(billing.facet_settings, "probe.priority", int64_t{0}),
            7);
}

// Errors inside actor-type sections name the section and the problem.
TEST(Config, ActorTypeSectionErrors) {
  auto loader = make_loader();
  expect_contains(error_text(loader.load_text(
                    "[actor.billing]\nfacets=[\"lasers\"]\n", {}, "a.ini")),
                  {"a.ini", "actor.billing.facets", "element not allowed"});
  expect_contains(
    error_text(loader.load_text("[actor.billing]\nfacets=[\"probe\"]\n"
                                "probe={prio=1}\n",
                                {}, "a.ini")),
    {"[actor.billing]", "unknown setting 'prio'"});
  expect_contains(
    error_text(loader.load_text("[actor.billing]\nfacets=[\"probe\"]\n"
                                "probe={priority=1000}\n",
                                {}, "a.ini")),
    {"actor.billing.probe.priority", "out of range"});
  expect_contains(error_text(loader.load_text(
                    "[actor.billing]\nprobe={priority=1}\n", {}, "a.ini")),
                  {"not listed in facets"});
  expect_contains(
    error_text(loader.load_text("[actor.billing]\ncolor=1\n", {}, "a.ini")),
    {"unknown key 'color'"});
}

// Durations parse with units and reject everything else.
TEST(DurationText, ParsesUnitsAndRejectsGarbage) {
  EXPECT_EQ(parse_duration("500ms").value(), 500ms);
  EXPECT_EQ(parse_duration("2min").value(), 2min);
  EXPECT_EQ(parse_duration("1d").value(), 24h);
  EXPECT_EQ(parse_duration(" 3s ").value(), 3s);
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("1"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("1 parsec"));
  EXPECT_FALSE(parse_duration("99999999999999999999d"));
  EXPECT_FALSE(parse_duration("200000d")); // overflows int64 nanoseconds
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(2min), "2min");
}

// The most negative duration prints with one minus sign.
TEST(DurationText, ExtremesFormatWithOneSign) {
  using limits = std::numeric_limits<clock::duration::rep>;
  EXPECT_EQ(format_duration(clock::duration{limits::min()}),
            "-9223372036854775808ns");
  EXPECT_EQ(format_duration(clock::duration{limits::max()}),
            "9223372036854775807ns");
  EXPECT_EQ(format_duration(-90s), "-90s");
}

// Durations shown to people are rounded to three significant digits in the
// largest fitting unit; config text stays exact.
TEST(DurationText, DescribedDurationsReadAsPeopleWriteThem) {
  EXPECT_EQ(describe_duration(std::chrono::nanoseconds{83'333'333}), "83.3ms");
  EXPECT_EQ(describe_duration(1500ms), "1.5s");
  EXPECT_EQ(describe_duration(90s), "1.5min");
  EXPECT_EQ(describe_duration(2h), "2h");
  EXPECT_EQ(describe_duration(std::chrono::microseconds{999}), "999us");
  EXPECT_EQ(describe_duration(std::chrono::nanoseconds{7}), "7ns");
  EXPECT_EQ(describe_duration(-250ms), "-250ms");
  EXPECT_EQ(describe_duration(0s), "0s");
  using limits = std::numeric_limits<clock::duration::rep>;
  EXPECT_EQ(describe_duration(clock::duration{limits::min()}), "-106752d");
}

// Regression (found by config_fuzz): a facet list naming an unknown facet
// when no module declares any facets crashed instead of failing.
TEST(Config, UnknownFacetWithoutModulesIsAnError) {
  config_loader bare{"bare"};
  auto text = error_text(
    bare.load_text("[actor.sla]\nfacets=[\"reminders\"]\n", {}, "bare.ini"));
  expect_contains(text,
                  {"bare.ini", "[actor.sla]", "unknown facet 'reminders'"});
}

// Values nested 50,000 lists or 100,000 dictionaries deep used to overflow
// the parser's stack; now they are an error naming file, line and limit,
// in the file and on the command line.
TEST(Config, DeepNestingIsAClearErrorNotACrash) {
  auto lists = "[horae.log]\nlevel=" + std::string(50'000, '[') + "\n";
  expect_contains(error_text(make_loader().load_text(lists, {}, "deep.ini")),
                  {"deep.ini:2", "deeper than 32 levels"});
  std::string dicts = "[horae.log]\nlevel=";
  for (int i = 0; i < 100'000; ++i)
    dicts += "{a=";
  expect_contains(error_text(make_loader().load_text(dicts, {}, "deep.ini")),
                  {"deep.ini:2", "deeper than 32 levels"});
  expect_contains(error_text(make_loader().load_text(
                    "", {"--horae.log.level=" + std::string(50'000, '[')})),
                  {"command line", "deeper than 32 levels"});
  // Brackets inside strings do not count.
  auto quoted = make_loader().load_text("[horae.log]\nfile=\""
                                        + std::string(100, '[') + "\"\n");
  EXPECT_TRUE(quoted) << describe(quoted.error());
}

// A key given twice in one section is an error naming both lines.
TEST(Config, DuplicateKeyNamesBothLines) {
  auto text = error_text(make_loader().load_text(
    "[horae.log]\nlevel=\"debug\"\n\nlevel=\"info\"\n", {}, "dup.ini"));
  expect_contains(
    text, {"dup.ini:4", "horae.log.level", "appears twice", "first at line 2"});
  // The same key in two sections is fine.
  auto ok = make_loader().load_text(
    "[actor.a]\nidle-timeout=1s\n[actor.b]\nidle-timeout=1s\n");
  EXPECT_TRUE(ok) << describe(ok.error());
}

// Large files load in time linear in their size: 16,000 sections, and
// 16,000 keys in one dictionary, each finish well within the test timeout
// (the quadratic checks took seconds; see docs/reliability.md).
TEST(Config, LargeFilesLoad) {
  std::string sections;
  for (int i = 0; i < 16'000; ++i)
    sections += "[actor.t" + std::to_string(i) + "]\nidle-timeout=1s\n";
  auto many = make_loader().load_text(sections);
  ASSERT_TRUE(many) << describe(many.error());
  EXPECT_EQ(many->actor_types().size(), 16'000u);
}

// A list over several lines is one value, as before.
TEST(Config, MultiLineListIsOneValue) {
  auto cfg = make_loader().load_text(
    "[actor.a]\nfacets=[\n  \"probe\"\n]\nidle-timeout=2s\n");
  ASSERT_TRUE(cfg) << describe(cfg.error());
  ASSERT_EQ(cfg->actor_types().count("a"), 1u);
  EXPECT_EQ(cfg->actor_types().at("a").facets,
            std::vector<std::string>{"probe"});
  EXPECT_EQ(cfg->actor_types().at("a").idle_timeout, 2s);
}

// Once the application defined its types (in runtime::make's setup), a
// config section for a type nobody defines is reported: likely a typo.
TEST(Config, SectionForAnUndefinedTypeIsReported) {
  auto cfg = make_loader().load_text(
    "[actor.billing]\nidle-timeout=1s\n[actor.biling]\nidle-timeout=1s\n", {},
    "app.ini");
  ASSERT_TRUE(cfg) << describe(cfg.error());
  cfg->manual_time = true;
  cfg->set("horae.log.level", caf::config_value{std::string{"warn"}});
  // Attached in setup: make configures logging (and its sinks) first.
  std::optional<test::counted_log> lines;
  auto rt = runtime::make(std::move(*cfg), [&lines](runtime& r) {
    lines.emplace("core");
    return r.define("billing",
                    [](actor*) -> caf::behavior { return {[](int32_t) {}}; });
  });
  ASSERT_TRUE(rt) << describe(rt.error());
  EXPECT_TRUE((*lines)->saw("[actor.biling]"));
  EXPECT_FALSE((*lines)->saw("[actor.billing]"));
}

// String-list options read back through their typed getter, default or set.
TEST(Config, StringListOptionsReadBack) {
  auto loader = make_loader();
  loader.add_option(option_spec::string_list("app.names", {"a"}, "names"));
  auto defaults = loader.load_text("");
  ASSERT_TRUE(defaults) << describe(defaults.error());
  EXPECT_EQ(defaults->get_string_list("app.names"),
            std::vector<std::string>{"a"});
  auto set = loader.load_text("[app]\nnames=[\"x\", \"y\"]\n");
  ASSERT_TRUE(set) << describe(set.error());
  EXPECT_EQ(set->get_string_list("app.names"),
            (std::vector<std::string>{"x", "y"}));
}
