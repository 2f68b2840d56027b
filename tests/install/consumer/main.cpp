// Uses the installed horae: a virtual actor on manual time. Exits 0 only if
// the actor handled the message.
#include <iostream>

#include <horae/core/runtime.hpp>
#include <horae/patterns/worker_pool.hpp>

int main() {
  horae::config cfg;
  cfg.manual_time = true;
  auto rt = horae::runtime::make(std::move(cfg));
  if (!rt) {
    std::cerr << horae::describe(rt.error()) << '\n';
    return 1;
  }
  int handled = 0;
  auto err = (*rt)->define("greeter", [&](horae::actor*) -> caf::behavior {
    return {[&](const std::string&) { ++handled; }};
  });
  if (err) {
    std::cerr << horae::describe(err) << '\n';
    return 1;
  }
  (*rt)->ref("greeter", "1")->send(std::string{"hello"});
  (*rt)->run_until_idle();
  std::cout << "consumer: handled " << handled << " message(s)\n";
  // horae::patterns links and answers: a pool without workers is refused.
  if (!horae::validate(horae::worker_pool_options{})) {
    std::cerr << "worker pool options without a behaviour were accepted\n";
    return 1;
  }
  return handled == 1 ? 0 : 1;
}
