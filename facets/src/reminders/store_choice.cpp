// Opening the configured reminder store, with the logging hooks each store
// offers.
#include "reminders/store_choice.hpp"

#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/facets/defaults.hpp>
#include <horae/facets/reminder_ownership.hpp>
#include <horae/journaling/postgres_store.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include <spdlog/spdlog.h>

namespace horae::detail {

namespace {

namespace d = defaults::reminders;

using std::chrono::milliseconds;

// Rows a hand edit broke are skipped so that the rest are delivered; the
// store reports each once.
void log_invalid_row(const reminder_key&, const caf::error& err) {
  logging::logger("reminders")
    ->warn("{}; the row is skipped until it is fixed or deleted "
           "(horae-reminders show/delete)",
           describe(err));
}

milliseconds millis(const config& cfg, const char* key) {
  return std::chrono::duration_cast<milliseconds>(cfg.get_duration(key));
}

caf::expected<std::unique_ptr<reminder_store>>
open_sqlite(const config& cfg, const clock& time_source,
            std::function<void(size_t, clock::duration)> on_commit,
            std::string& display) {
  sqlite_store_options opts;
  opts.path = cfg.get_string("horae.reminders.db");
  if (opts.path.empty())
    return make_error(errc::invalid_config,
                      cfg.source()
                        + ": key 'horae.reminders.db' must not be empty");
  display = opts.path;
  opts.busy_timeout = millis(cfg, "horae.reminders.busy-timeout");
  opts.time_source = &time_source;
  opts.on_damage = [path = opts.path](const caf::error& err, size_t gaps) {
    logging::logger("reminders")
      ->error("{}; delivering every reminder that can still be read "
              "({} unreadable range(s) skipped). Run 'horae-reminders "
              "check --db={}' to see which, then restore a backup",
              describe(err), gaps, path);
  };
  opts.on_invalid_row = log_invalid_row;
  opts.on_commit = std::move(on_commit);
  return open_sqlite_store(std::move(opts));
}

caf::expected<std::unique_ptr<reminder_store>>
open_postgres(const config& cfg, const clock& time_source,
              std::function<void(size_t, clock::duration)> on_commit,
              std::string& display, const reminder_ownership* cluster) {
  postgres_store_options opts;
  opts.conninfo = cfg.get_string("horae.reminders.postgres.uri");
  if (cluster != nullptr) {
    // The cluster's server, fenced by this node's leases.
    opts.conninfo = cluster->conninfo();
    opts.node_id = cluster->node_id();
    opts.incarnation = cluster->incarnation();
    opts.partitions = cluster->partitions();
    opts.fence = [cluster](uint32_t p) { return cluster->epoch_of(p); };
    opts.held_partitions = [cluster] { return cluster->held(); };
  }
  if (opts.conninfo.empty())
    return make_error(errc::invalid_config,
                      cfg.source()
                        + ": horae.reminders.store is postgres, so key "
                          "'horae.reminders.postgres.uri' must name the "
                          "server, e.g. "
                          "postgresql://user@host:5432/dbname");
  display = describe_postgres_target(opts.conninfo);
  opts.connect_timeout
    = millis(cfg, "horae.reminders.postgres.connect-timeout");
  opts.statement_timeout
    = millis(cfg, "horae.reminders.postgres.statement-timeout");
  opts.startup_wait = millis(cfg, "horae.reminders.postgres.startup-wait");
  opts.time_source = &time_source;
  opts.on_invalid_row = log_invalid_row;
  opts.on_commit = std::move(on_commit);
  auto store = open_postgres_store(std::move(opts));
  if (!store && code_of(store.error()) == errc::invalid_argument)
    return make_error(errc::invalid_config,
                      cfg.source() + ": horae.reminders.postgres.uri: "
                        + describe(store.error()));
  return store;
}

} // namespace

std::vector<option_spec> store_options() {
  namespace pd = defaults::postgres;
  return {
    option_spec::string("horae.reminders.store", std::string{d::store},
                        "where reminders are kept: the embedded SQLite file "
                        "or a PostgreSQL server several processes share",
                        {"sqlite", "postgres"}),
    option_spec::string("horae.reminders.db", std::string{d::db},
                        "SQLite database file of the reminder store"),
    option_spec::duration("horae.reminders.busy-timeout", d::busy_timeout,
                          clock::duration::zero(), d::max_busy_timeout,
                          "how long a write waits for a locked database"),
    option_spec::string("horae.reminders.postgres.uri", "",
                        "PostgreSQL server of the reminder store: a URI "
                        "(postgresql://user@host:port/db) or a libpq "
                        "connection string; the password is never logged"),
    option_spec::duration("horae.reminders.postgres.connect-timeout",
                          pd::connect_timeout, milliseconds{1},
                          d::max_postgres_timeout,
                          "how long opening a connection may take"),
    option_spec::duration("horae.reminders.postgres.statement-timeout",
                          pd::statement_timeout, milliseconds{1},
                          d::max_postgres_timeout,
                          "how long one statement may run on the server"),
    option_spec::duration("horae.reminders.postgres.startup-wait",
                          pd::startup_wait, clock::duration::zero(),
                          d::max_postgres_timeout,
                          "how long start-up waits for a server that does "
                          "not accept connections yet"),
  };
}

caf::expected<std::unique_ptr<reminder_store>>
open_configured_store(const config& cfg, const clock& time_source,
                      std::function<void(size_t, clock::duration)> on_commit,
                      std::string& display, const reminder_ownership* cluster) {
  if (cluster != nullptr
      || cfg.get_string("horae.reminders.store") == "postgres")
    return open_postgres(cfg, time_source, std::move(on_commit), display,
                         cluster);
  return open_sqlite(cfg, time_source, std::move(on_commit), display);
}

} // namespace horae::detail
