// Opening a PostgreSQL reminder store: options, connections, schema
// migration, then the store and its writer thread; and naming servers in
// messages without their passwords.
#include <memory>

#include <horae/core/error.hpp>
#include <horae/journaling/postgres_store.hpp>

#include "postgres/pg_schema.hpp"
#include "postgres/pg_session.hpp"
#include "postgres/pg_store_impl.hpp"
#include <libpq-fe.h>

namespace horae {

namespace {

struct conninfo_deleter {
  void operator()(PQconninfoOption* opts) const noexcept {
    PQconninfoFree(opts);
  }
};

using conninfo_ptr = std::unique_ptr<PQconninfoOption, conninfo_deleter>;

/// Parses `target` with libpq's own parser.
/// @returns the options, or null and libpq's reason in `why`.
conninfo_ptr parse_target(const std::string& target, std::string& why) {
  char* err = nullptr;
  conninfo_ptr opts{PQconninfoParse(target.c_str(), &err)};
  if (err != nullptr) {
    why = err;
    while (!why.empty() && why.back() == '\n')
      why.pop_back();
    PQfreemem(err);
  }
  return opts;
}

bool starts_with(const std::string& str, const char* prefix) {
  return str.rfind(prefix, 0) == 0;
}

caf::error check_options(const postgres_store_options& opts) {
  auto bad = [&](const std::string& what) {
    return make_error(errc::invalid_argument,
                      "postgresql reminder store: " + what);
  };
  if (opts.conninfo.empty())
    return bad("connection string must not be empty");
  std::string why;
  if (!parse_target(opts.conninfo, why))
    return bad("connection string does not parse: " + why);
  if (opts.max_batch == 0)
    return bad("max_batch must be at least 1");
  if (opts.partitions > max_partitions)
    return bad("partitions must be at most " + std::to_string(max_partitions));
  if (opts.fence && opts.node_id.empty())
    return bad("a fenced store needs the node id");
  for (auto [name, value] :
       {std::pair{"connect_timeout", opts.connect_timeout},
        std::pair{"statement_timeout", opts.statement_timeout},
        std::pair{"startup_wait", opts.startup_wait},
        std::pair{"reconnect_delay", opts.reconnect_delay},
        std::pair{"max_reconnect_delay", opts.max_reconnect_delay}})
    if (value.count() < 0)
      return bad(std::string{name} + " must not be negative");
  if (opts.reconnect_delay.count() == 0)
    return bad("reconnect_delay must be positive");
  if (opts.max_reconnect_delay < opts.reconnect_delay)
    return bad("max_reconnect_delay must not be below reconnect_delay");
  // The server takes the statement timeout in milliseconds as an int.
  if (opts.statement_timeout > std::chrono::hours{24 * 24})
    return bad("statement_timeout must be at most 24 days");
  return caf::none;
}

} // namespace

bool is_postgres_target(const std::string& target) {
  return starts_with(target, "postgresql://")
         || starts_with(target, "postgres://")
         || target.find('=') != std::string::npos;
}

std::string describe_postgres_target(const std::string& target) {
  std::string why;
  auto opts = parse_target(target, why);
  if (!opts)
    return "(unparsable connection string)";
  std::string user;
  std::string host;
  std::string port;
  std::string dbname;
  for (auto opt = opts.get(); opt->keyword != nullptr; ++opt) {
    if (opt->val == nullptr)
      continue;
    std::string key = opt->keyword;
    if (key == "user")
      user = opt->val;
    else if (key == "host" || (key == "hostaddr" && host.empty()))
      host = opt->val;
    else if (key == "port")
      port = opt->val;
    else if (key == "dbname")
      dbname = opt->val;
  }
  std::string result = "postgresql://";
  if (!user.empty())
    result += user + "@";
  result += host.empty() ? "localhost" : host;
  if (!port.empty())
    result += ":" + port;
  if (!dbname.empty())
    result += "/" + dbname;
  return result;
}

int postgres_store_schema_version() noexcept {
  return detail::latest_pg_schema_version();
}

caf::expected<std::unique_ptr<reminder_store>>
open_postgres_store(postgres_store_options opts) {
  if (auto err = check_options(opts))
    return err;
  if (opts.time_source == nullptr) {
    static const system_clock default_clock;
    opts.time_source = &default_clock;
  }
  auto writer = std::make_unique<detail::pg_session>(opts);
  if (auto err = writer->connect_waiting(opts.startup_wait))
    return err;
  if (auto err = detail::migrate_pg(*writer, !opts.read_only, opts.must_exist))
    return err;
  auto partitions
    = detail::settle_partitions(*writer, opts.partitions, !opts.read_only);
  if (!partitions)
    return std::move(partitions.error());
  auto reader = std::make_unique<detail::pg_session>(opts);
  if (auto err = reader->connect_waiting(opts.startup_wait))
    return err;
  auto store = std::make_unique<detail::pg_store>(
    std::move(opts), std::move(writer), std::move(reader), *partitions);
  store->start();
  return std::unique_ptr<reminder_store>{std::move(store)};
}

} // namespace horae
