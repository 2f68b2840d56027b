// A minimal horae system: virtual "greeter" actors that are activated by the
// first message, deactivated when idle, and activated again on demand.
#include <chrono>
#include <iostream>
#include <thread>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/config/duration_text.hpp>
#include <horae/core/runtime.hpp>

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  horae::config_loader loader{"hello"};
  loader.add_option(horae::option_spec::duration(
    "duration", 3s, 0s, 24h, "how long to run before shutting down"));
  if (loader.answer_info_request(argc, argv, std::cout))
    return 0;
  auto cfg = loader.load(argc, argv, "config/hello.ini");
  if (!cfg) {
    std::cerr << horae::describe(cfg.error()) << '\n';
    return 2;
  }
  auto duration = cfg->get_duration("duration");
  auto rt = horae::runtime::make(std::move(*cfg));
  if (!rt) {
    std::cerr << horae::describe(rt.error()) << '\n';
    return 1;
  }
  auto& runtime = **rt;
  auto err = runtime.define("greeter", [](horae::actor* self) -> caf::behavior {
    std::cout << "activated " << self->display_name() << std::endl;
    return {[self](const std::string& who) {
      std::cout << self->display_name() << " greets " << who << std::endl;
    }};
  });
  if (err) {
    std::cerr << horae::describe(err) << '\n';
    return 1;
  }
  auto deadline = std::chrono::steady_clock::now() + duration;
  for (int round = 0; std::chrono::steady_clock::now() < deadline; ++round) {
    auto key = std::to_string(round % 3);
    if (auto ref = runtime.ref("greeter", key))
      ref->send(std::string{"visitor " + std::to_string(round)});
    std::this_thread::sleep_for(500ms);
  }
  std::cout << "activations of greeter/0: "
            << runtime.registry().incarnations("greeter", "0") << std::endl;
  return 0;
}
