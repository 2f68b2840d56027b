#include <iostream>
#include <thread>

#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/facets/timers_module.hpp>

int main() {
  horae::config cfg;
  cfg.add_module(horae::timers_module());
  auto rt = horae::runtime::make(std::move(cfg));
  if (!rt)
    return 1;
  // Keep the handle: timers never keep an actor alive on their own.
  auto heartbeat = (*rt)->spawn([](horae::actor* self) -> caf::behavior {
    auto& timers = self->attach<horae::timer_facet>();
    if (auto err = timers.start_periodic("hb", std::chrono::seconds{2}))
      std::cerr << horae::describe(err) << '\n';
    return {[](const horae::timer_fired& t) {
      std::cout << "timer_fired name=" << t.name << " seq=" << t.seq << '\n';
    }};
  });
  std::this_thread::sleep_for(std::chrono::seconds{7}); // three beats
}
