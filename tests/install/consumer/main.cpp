// Uses the installed horae: a virtual actor on manual time. Exits 0 only if
// the actor handled the message.
#include <iostream>

#include <horae/core/runtime.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/patterns/worker_pool.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/test_runtime.hpp>

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
  // horae::testkit: a consumer test of a timer, on manual time.
  horae::testkit::test_runtime t;
  auto p = horae::testkit::probe::make();
  auto a = t->spawn(p->recorder());
  t.run_in(a, [](horae::actor& self) {
    static_cast<void>(
      horae::timers(&self).start_once("t", std::chrono::seconds{1}));
  });
  t.advance(std::chrono::seconds{1});
  if (auto ok = p->fired_once_at("t", t.start() + std::chrono::seconds{1});
      !ok) {
    std::cerr << "testkit: " << ok << '\n';
    return 1;
  }
  // horae::patterns links and answers: a pool without workers is refused.
  if (!horae::validate(horae::worker_pool_options{})) {
    std::cerr << "worker pool options without a behaviour were accepted\n";
    return 1;
  }
  return handled == 1 ? 0 : 1;
}
