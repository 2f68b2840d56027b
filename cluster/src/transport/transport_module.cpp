// Wires the transport into a runtime: CAF's middleman and heartbeats before
// the actor system exists, the published router once the runtime does.
#include <caf/io/middleman.hpp>

#include <horae/cluster/transport/router.hpp>
#include <horae/cluster/transport/transport_module.hpp>
#include <horae/core/detail/runtime_system_config.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "transport/router_actor.hpp"

namespace horae::cluster {

namespace {

/// @returns whether `cfg` belongs to a runtime on manual time.
bool on_manual_time(caf::actor_system_config& cfg) {
  auto* owned = dynamic_cast<horae::detail::runtime_system_config*>(&cfg);
  return owned != nullptr && owned->owner()->manual_clock() != nullptr;
}

void configure_system(const transport_options& options,
                      caf::actor_system_config& cfg) {
  // CAF's test scheduler never runs the middleman's brokers, which then
  // outlive the system; the installer refuses such a runtime anyway.
  if (on_manual_time(cfg))
    return;
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", options.heartbeat_interval);
  cfg.set("middleman.connection-timeout", options.connection_timeout);
  for (const auto& announce : options.announcements())
    announce(cfg);
}

caf::error install(runtime& rt, const transport_options& options,
                   const std::shared_ptr<const ownership_view>& view) {
  if (auto err = options.validate())
    return err;
  if (view == nullptr || view->partitions() == 0)
    return make_error(errc::invalid_config,
                      "cluster transport: the ownership view is missing or "
                      "has no partitions");
  if (rt.manual_clock() != nullptr)
    return make_error(errc::invalid_config,
                      "cluster transport: a runtime on manual time cannot "
                      "talk to other nodes");
  auto handle = rt.system().spawn(detail::router_behavior, &rt, view, options);
  auto port = rt.system().middleman().publish(handle, options.port,
                                              options.host.c_str());
  if (!port) {
    caf::anon_send_exit(handle, caf::exit_reason::user_shutdown);
    return make_error(errc::invalid_config,
                      "cluster transport: cannot publish the router of node '"
                        + options.node_id + "' on " + options.host + ":"
                        + std::to_string(options.port) + ": "
                        + describe(port.error()));
  }
  rt.add_service<router>(rt, options, view, std::move(handle), *port);
  return caf::none;
}

} // namespace

module transport_module(const transport_options& options,
                        std::shared_ptr<const ownership_view> view) {
  module mod;
  mod.name = "cluster_transport";
  mod.configure_system = [options](caf::actor_system_config& cfg) {
    configure_system(options, cfg);
  };
  mod.install = [options, view = std::move(view)](runtime& rt) {
    return install(rt, options, view);
  };
  return mod;
}

} // namespace horae::cluster
