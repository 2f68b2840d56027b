// The cluster module's options and installer.
#include <horae/cluster/cluster_module.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>
#include <horae/journaling/partition.hpp>
#include <horae/journaling/postgres_leases.hpp>

#include "leases/cluster_service.hpp"
#include "leases/lease_view.hpp"

namespace horae {

namespace {

using std::chrono::milliseconds;

milliseconds millis(const config& cfg, const char* key) {
  return std::chrono::duration_cast<milliseconds>(cfg.get_duration(key));
}

caf::error bad_config(const config& cfg, const std::string& what) {
  return make_error(errc::invalid_config, cfg.source() + ": " + what);
}

caf::error install(runtime& rt,
                   const std::shared_ptr<detail::lease_view>& view) {
  const auto& cfg = rt.configuration();
  if (cfg.manual_time)
    return bad_config(cfg, "the cluster mode needs the real clock (leases "
                           "expire by the database's time)");
  auto node_id = cfg.get_string("horae.cluster.node-id");
  if (node_id.empty())
    return bad_config(cfg, "key 'horae.cluster.node-id' must name this node "
                           "(stable across restarts, unique in the cluster)");
  auto conninfo = cfg.get_string("horae.cluster.db");
  if (conninfo.empty())
    conninfo = cfg.get_string("horae.reminders.postgres.uri");
  if (conninfo.empty())
    return bad_config(cfg, "key 'horae.cluster.db' must name the cluster's "
                           "PostgreSQL server");
  lease_settings settings;
  settings.ttl = millis(cfg, "horae.cluster.lease-ttl");
  settings.renew_interval = millis(cfg, "horae.cluster.renew-interval");
  if (settings.renew_interval * 2 > settings.ttl)
    return bad_config(cfg, "horae.cluster.renew-interval must be at most "
                           "half of horae.cluster.lease-ttl, so that one "
                           "failed renewal does not lose the leases");
  settings.margin = std::min(settings.margin, settings.ttl / 10);
  postgres_store_options opts;
  opts.conninfo = conninfo;
  opts.node_id = node_id;
  opts.partitions
    = static_cast<uint32_t>(cfg.get_int("horae.cluster.partitions"));
  // A heartbeat must never wait longer than a lease lasts.
  opts.statement_timeout = settings.ttl / 2;
  opts.connect_timeout = std::min(opts.connect_timeout, settings.ttl / 2);
  auto table
    = postgres_leases::open(opts, cfg.get_string("horae.cluster.endpoint"));
  if (!table)
    return table.error();
  auto leases = std::make_unique<detail::lease_manager>(std::move(*table),
                                                        settings, node_id);
  if (auto incarnation = leases->join(); !incarnation)
    return incarnation.error();
  rt.add_service_as<reminder_ownership, detail::cluster_service>(
    rt, std::move(leases), node_id, conninfo, view);
  return caf::none;
}

} // namespace

module cluster_module() {
  return cluster_module(nullptr);
}

std::shared_ptr<cluster::ownership_view> make_lease_view() {
  return std::make_shared<detail::lease_view>();
}

module cluster_module(const std::shared_ptr<cluster::ownership_view>& view) {
  auto leases_view = std::dynamic_pointer_cast<detail::lease_view>(view);
  module mod;
  mod.name = "cluster";
  mod.options = {
    option_spec::string("horae.cluster.node-id", "",
                        "this node's id: stable across restarts, unique in "
                        "the cluster"),
    option_spec::string("horae.cluster.db", "",
                        "the cluster's PostgreSQL server (URI or connection "
                        "string); defaults to horae.reminders.postgres.uri"),
    option_spec::string("horae.cluster.endpoint", "",
                        "host:port where this node's message router "
                        "listens, as other nodes reach it"),
    option_spec::integer("horae.cluster.partitions", 0, 0, max_partitions,
                         "partitions of the cluster, fixed when its store "
                         "is created (0: the store's, 256 for a new one)"),
    option_spec::duration("horae.cluster.lease-ttl", std::chrono::seconds{10},
                          milliseconds{200}, std::chrono::minutes{10},
                          "how long a partition lease lasts without "
                          "renewal: the longest a failed node's partitions "
                          "wait for a new owner"),
    option_spec::duration("horae.cluster.renew-interval",
                          std::chrono::seconds{2}, milliseconds{50},
                          std::chrono::minutes{5},
                          "pause between heartbeats (renewal, membership, "
                          "claims); at most half the lease TTL"),
  };
  mod.install = [leases_view](runtime& rt) { return install(rt, leases_view); };
  return mod;
}

} // namespace horae
