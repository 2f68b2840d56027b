// A module's configure_system hook shapes the CAF system a runtime creates.
#include <string>

#include <caf/actor_system_config.hpp>
#include <caf/make_message.hpp>

#include <horae/core/runtime.hpp>

#include <gtest/gtest.h>

using namespace horae;

namespace {

/// A type only the hook below announces to CAF.
struct hook_probe {
  int value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, hook_probe& x) {
  return f(x.value);
}

config config_with_hook(int& calls) {
  config cfg;
  cfg.manual_time = true;
  module mod;
  mod.name = "hooked";
  mod.configure_system = [&calls](caf::actor_system_config& sys_cfg) {
    ++calls;
    sys_cfg.add_message_type<hook_probe>("hook_probe");
  };
  cfg.add_module(std::move(mod));
  return cfg;
}

} // namespace

// The hook runs once, before the actor system exists, so a message type it
// adds is known to the system's type registry.
TEST(ModuleSystemConfig, HookAddsMessageTypeBeforeSystemStarts) {
  int calls = 0;
  auto rt = runtime::make(config_with_hook(calls));
  ASSERT_TRUE(rt) << describe(rt.error());
  EXPECT_EQ(calls, 1);
  auto msg = caf::make_message(hook_probe{});
  EXPECT_EQ((*rt)->system().types().portable_name(msg.type(0)), "hook_probe");
}

// A module without the hook leaves the system as it was: the type stays
// unknown to CAF.
TEST(ModuleSystemConfig, ModuleWithoutHookAddsNothing) {
  config cfg;
  cfg.manual_time = true;
  module mod;
  mod.name = "plain";
  cfg.add_module(std::move(mod));
  auto rt = runtime::make(std::move(cfg));
  ASSERT_TRUE(rt) << describe(rt.error());
  auto msg = caf::make_message(hook_probe{});
  const auto& types = (*rt)->system().types();
  EXPECT_EQ(types.portable_name(msg.type(0)), types.default_type_name());
}
