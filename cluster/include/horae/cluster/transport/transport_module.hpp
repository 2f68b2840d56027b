// The module that gives a runtime its cluster transport: CAF's middleman
// with heartbeats, the announced message types and a published router.
#pragma once

#include <memory>

#include <horae/cluster/ownership_view.hpp>
#include <horae/cluster/transport/transport_options.hpp>
#include <horae/core/module.hpp>

namespace horae::cluster {

/// Makes a module that, added to a config (`config::add_module`):
/// - before the actor system exists, loads `caf::io::middleman`, switches
///   BASP heartbeats and the connection timeout on and registers the
///   announced types (options from the config's `caf` section still win);
/// - when the runtime is made, spawns the router, publishes it on
///   `options.host`:`options.port` and adds it as a service
///   (`runtime::find_service<cluster::router>()`).
///
/// `runtime::make` fails with `invalid_config` for invalid options, a
/// runtime on manual time (the transport needs real sockets and time), a
/// port in use or a host it cannot bind.
/// @pre `view != nullptr`
module transport_module(const transport_options& options,
                        std::shared_ptr<const ownership_view> view);

} // namespace horae::cluster
