// The registry on its own: how a type's options are completed at definition,
// the vacate rule a busy activation meets, define listeners, and references
// that outlive their runtime.
#include <memory>
#include <vector>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "core/support/manual_runtime.hpp"
#include "core/support/probe_facet.hpp"
#include <gtest/gtest.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

/// The priorities the "probe" facet was built with, one per activation.
using built_log = std::vector<int64_t>;

std::unique_ptr<runtime> runtime_with_probe(std::shared_ptr<built_log> built,
                                            const std::string& ini) {
  config_loader loader{"test"};
  loader.add_module(
    test::probe_module(std::make_shared<test::journal>(), std::move(built)));
  auto cfg = loader.load_text(ini);
  if (!cfg)
    throw std::runtime_error(describe(cfg.error()));
  cfg->manual_time = true;
  auto rt = runtime::make(std::move(*cfg));
  if (!rt)
    throw std::runtime_error(describe(rt.error()));
  return std::move(*rt);
}

actor_factory counting(std::shared_ptr<int> handled) {
  return [handled](actor*) -> caf::behavior {
    return {[handled](int32_t) { ++*handled; }};
  };
}

} // namespace

// The config section gives the facet and a setting; `define`'s options
// override the setting; a type listing the facet without settings gets the
// declared default (0). Each activation is built from exactly those values.
TEST(Registry, DefineCompletesFacetSettingsFromSectionOptionsAndDefaults) {
  auto built = std::make_shared<built_log>();
  auto rt = runtime_with_probe(
    built, "[actor.billing]\nfacets=[\"probe\"]\nprobe={priority=7}\n"
           "[actor.audit]\nfacets=[\"probe\"]\n");
  auto handled = std::make_shared<int>(0);
  actor_type_options overriding;
  overriding.facet_settings["probe"] = caf::settings{};
  caf::put(overriding.facet_settings, "probe.priority", int64_t{9});
  ASSERT_FALSE(rt->define("billing", counting(handled), overriding));
  ASSERT_FALSE(rt->define("audit", counting(handled)));
  ASSERT_FALSE(rt->ref("billing", "1")->send(int32_t{1}));
  ASSERT_FALSE(rt->ref("audit", "1")->send(int32_t{1}));
  rt->run_until_idle();
  EXPECT_EQ(*built, (built_log{9, 0}));
  EXPECT_EQ(*handled, 2);
}

// Settings are checked when the type is defined, not at its first
// activation: a bad value fails `define` and nothing is ever built.
TEST(Registry, BadFacetSettingsFailDefineBeforeAnyActivation) {
  auto built = std::make_shared<built_log>();
  auto rt = runtime_with_probe(built, "");
  auto handled = std::make_shared<int>(0);
  actor_type_options out_of_range;
  out_of_range.facets = {"probe"};
  caf::put(out_of_range.facet_settings, "probe.priority", int64_t{500});
  EXPECT_EQ(code_of(rt->define("a", counting(handled), out_of_range)),
            errc::invalid_config);
  actor_type_options unknown_setting;
  unknown_setting.facets = {"probe"};
  caf::put(unknown_setting.facet_settings, "probe.colour", "red");
  EXPECT_EQ(code_of(rt->define("b", counting(handled), unknown_setting)),
            errc::invalid_config);
  actor_type_options not_a_dictionary;
  not_a_dictionary.facet_settings["probe"] = int64_t{5};
  EXPECT_EQ(code_of(rt->define("c", counting(handled), not_a_dictionary)),
            errc::invalid_argument);
  actor_type_options negative_idle;
  negative_idle.idle_timeout = -1s;
  EXPECT_EQ(code_of(rt->define("d", counting(handled), negative_idle)),
            errc::invalid_argument);
  EXPECT_FALSE(rt->registry().defined("a"));
  EXPECT_TRUE(built->empty());
}

// A deactivation request that finds another message waiting is refused:
// the activation stays, handles the message, and no second incarnation
// starts.
TEST(Registry, BusyActivationIsNotVacated) {
  auto rt = test::manual_runtime();
  auto handled = std::make_shared<int>(0);
  ASSERT_FALSE(rt->define("svc", counting(handled), {0s}));
  auto ref = rt->ref("svc", "k").value();
  ASSERT_FALSE(ref.send(int32_t{1}));
  rt->run_until_idle();
  ref.deactivate();
  ASSERT_FALSE(ref.send(int32_t{2})); // behind the request in the mailbox
  rt->run_until_idle();
  EXPECT_EQ(*handled, 2);
  EXPECT_EQ(rt->registry().active_count(), 1u);
  EXPECT_EQ(rt->registry().incarnations("svc", "k"), 1u);
  // With the mailbox empty, the same request succeeds.
  ref.deactivate();
  rt->run_until_idle();
  EXPECT_EQ(rt->registry().active_count(), 0u);
}

// Listeners hear of each later definition once, outside the registry's lock,
// so they may deliver to the new type at once.
TEST(Registry, DefineListenerMayDeliverToTheNewType) {
  auto rt = test::manual_runtime();
  auto handled = std::make_shared<int>(0);
  std::vector<std::string> heard;
  auto* registry = &rt->registry();
  registry->on_define([&heard, registry](const std::string& type) {
    heard.push_back(type);
    EXPECT_FALSE(
      registry->deliver(type, "1", nullptr, caf::make_message(int32_t{1})));
  });
  ASSERT_FALSE(rt->define("a", counting(handled)));
  ASSERT_FALSE(rt->define("b", counting(handled)));
  EXPECT_NE(rt->define("a", counting(handled)), caf::none);
  rt->run_until_idle();
  EXPECT_EQ(heard, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*handled, 2);
}

// A reference kept after its runtime is gone reports `closed` instead of
// touching freed state.
TEST(Registry, ReferenceOutlivingItsRuntimeReportsClosed) {
  auto rt = test::manual_runtime();
  auto handled = std::make_shared<int>(0);
  ASSERT_FALSE(rt->define("svc", counting(handled)));
  auto ref = rt->ref("svc", "k").value();
  rt.reset();
  EXPECT_EQ(code_of(ref.send(int32_t{1})), errc::closed);
  EXPECT_EQ(code_of(ref.resolve().error()), errc::closed);
  ref.deactivate(); // no effect, no crash
}
