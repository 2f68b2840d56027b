// The reminders example: invoice and SLA actors register durable reminders,
// go idle and are deactivated, and are re-activated by their reminders.
// Stop it at any time (even with SIGKILL) and start it again on the same
// database: every reminder continues where it was.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include <caf/atom.hpp>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timers_module.hpp>
#include <horae/journaling/postgres_store.hpp>

using namespace std::chrono_literals;

namespace {

using open_atom = caf::atom_constant<caf::atom("open")>;

struct schedule {
  horae::clock::duration bill_after;
  horae::clock::duration bill_every;
  horae::clock::duration check_after;
  horae::clock::duration check_every;
};

// One line per delivered reminder, flushed at once so that a killed process
// leaves a complete record.
void print_fire(const horae::actor* self, const horae::reminder_fired& x) {
  std::printf("reminder_fired name=%s actor=%s count=%llu missed=%llu\n",
              x.name.c_str(), self->display_name().c_str(),
              static_cast<unsigned long long>(x.count),
              static_cast<unsigned long long>(x.missed));
  std::fflush(stdout);
}

// Registers a reminder unless it exists: a restarted process continues the
// stored schedule instead of starting over.
void ensure(horae::actor* self, const std::string& name,
            horae::clock::duration after, horae::clock::duration every) {
  horae::reminder_options opts;
  opts.overwrite = false;
  opts.payload.assign(name.begin(), name.end());
  auto who = self->display_name();
  auto err = horae::reminders(self).upsert(
    name, after, every, opts, [who, name](const caf::error& err) {
      if (!err)
        std::printf("registered %s for %s\n", name.c_str(), who.c_str());
      else if (horae::code_of(err) == horae::errc::already_exists)
        std::printf("continuing %s for %s\n", name.c_str(), who.c_str());
      else
        std::printf("error %s for %s: %s\n", name.c_str(), who.c_str(),
                    horae::describe(err).c_str());
      std::fflush(stdout);
    });
  if (err)
    std::printf("error %s: %s\n", name.c_str(), horae::describe(err).c_str());
}

horae::actor_factory invoice(schedule s) {
  return [s](horae::actor* self) -> caf::behavior {
    return {
      [self, s](open_atom) {
        ensure(self, "bill", s.bill_after, s.bill_every);
      },
      [self](const horae::reminder_fired& x) { print_fire(self, x); },
    };
  };
}

horae::actor_factory sla(schedule s) {
  return [s](horae::actor* self) -> caf::behavior {
    return {
      [self, s](open_atom) {
        ensure(self, "check", s.check_after, s.check_every);
      },
      [self](const horae::reminder_fired& x) {
        print_fire(self, x);
        // Every third check escalates once, two seconds later.
        if (x.name == "check" && x.count % 3 == 0) {
          horae::reminder_options once;
          once.max_fires = 1;
          horae::reminders(self).upsert("escalate", 2s, 0s, once);
        }
      },
    };
  };
}

} // namespace

int main(int argc, char** argv) {
  horae::config_loader loader{"reminders"};
  loader.add_module(horae::timers_module());
  loader.add_module(horae::reminders_module());
  using horae::option_spec;
  loader.add_option(
    option_spec::duration("duration", 12s, 0s, 24h * 365, "how long to run"));
  loader.add_option(option_spec::string(
    "db", "",
    "database file, or a PostgreSQL URI (overrides horae.reminders.db or "
    "horae.reminders.postgres.uri)"));
  loader.add_option(
    option_spec::string("store", "",
                        "sqlite or postgres (overrides horae.reminders.store; "
                        "a PostgreSQL URI in --db implies postgres)",
                        {"", "sqlite", "postgres"}));
  loader.add_option(option_spec::integer("example.reminders.customers", 3, 1,
                                         10'000, "number of customers"));
  loader.add_option(option_spec::duration("example.reminders.bill-after", 2s,
                                          0s, 24h, "first bill after"));
  loader.add_option(option_spec::duration("example.reminders.bill-every", 5s,
                                          1s, 24h, "bill period"));
  loader.add_option(option_spec::duration("example.reminders.check-after", 1s,
                                          0s, 24h, "first SLA check after"));
  loader.add_option(option_spec::duration("example.reminders.check-every", 3s,
                                          1s, 24h, "SLA check period"));
  if (loader.answer_info_request(argc, argv, std::cout))
    return 0;
  auto cfg = loader.load(argc, argv, "config/reminders_example.ini");
  if (!cfg) {
    std::cerr << horae::describe(cfg.error()) << '\n';
    return 2;
  }
  if (auto store = cfg->get_string("store"); !store.empty())
    cfg->set("horae.reminders.store", caf::config_value{store});
  if (auto db = cfg->get_string("db"); !db.empty()) {
    auto is_server = horae::is_postgres_target(db);
    if (is_server && cfg->get_string("store").empty())
      cfg->set("horae.reminders.store", caf::config_value{"postgres"});
    cfg->set(is_server ? "horae.reminders.postgres.uri" : "horae.reminders.db",
             caf::config_value{db});
  }
  auto duration = cfg->get_duration("duration");
  auto customers = cfg->get_int("example.reminders.customers");
  schedule s{cfg->get_duration("example.reminders.bill-after"),
             cfg->get_duration("example.reminders.bill-every"),
             cfg->get_duration("example.reminders.check-after"),
             cfg->get_duration("example.reminders.check-every")};
  auto on_server = cfg->get_string("horae.reminders.store") == "postgres";
  auto db = on_server ? horae::describe_postgres_target(
              cfg->get_string("horae.reminders.postgres.uri"))
                      : cfg->get_string("horae.reminders.db");
  // Types are defined before the reminder service starts, so reminders that
  // fell due while the process was down reach them at the first delivery.
  auto define_types = [&s](horae::runtime& rt) -> caf::error {
    for (auto [type, factory] :
         {std::pair{"invoice", invoice(s)}, std::pair{"sla", sla(s)}})
      if (auto err = rt.define(type, factory))
        return err;
    return caf::none;
  };
  auto made = horae::runtime::make(std::move(*cfg), define_types);
  if (!made) {
    std::cerr << horae::describe(made.error()) << '\n';
    return 1;
  }
  auto& rt = **made;
  std::printf(
    "reminders example on %s for %lld ms\n", db.c_str(),
    static_cast<long long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(duration).count()));
  std::fflush(stdout);
  for (int64_t i = 0; i < customers; ++i) {
    auto key = "customer-" + std::to_string(i + 1);
    rt.ref("invoice", key)->send(open_atom::value);
    rt.ref("sla", key)->send(open_atom::value);
  }
  std::this_thread::sleep_for(duration);
  auto* svc = rt.find_service<horae::reminder_service>();
  std::printf("delivered %llu reminders; %zu actors active at exit\n",
              static_cast<unsigned long long>(svc ? svc->delivered() : 0),
              rt.registry().active_count());
  return 0;
}
