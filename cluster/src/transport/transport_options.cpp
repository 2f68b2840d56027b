// Checks transport settings before anything is published, so that a bad
// value fails the runtime's start with the option's name.
#include <horae/cluster/transport/transport_options.hpp>
#include <horae/core/error.hpp>

namespace horae::cluster {

namespace {

caf::error bad(const std::string& what) {
  return make_error(errc::invalid_config, "cluster transport: " + what);
}

} // namespace

caf::error transport_options::validate() const {
  if (node_id.empty())
    return bad("node_id must not be empty");
  if (host.empty())
    return bad("host must not be empty");
  if (heartbeat_interval <= caf::timespan::zero())
    return bad("heartbeat_interval must be positive");
  if (connection_timeout <= heartbeat_interval)
    return bad("connection_timeout must exceed heartbeat_interval");
  if (connect_timeout <= caf::timespan::zero()
      || forward_timeout <= caf::timespan::zero())
    return bad("connect_timeout and forward_timeout must be positive");
  if (retry_delay <= caf::timespan::zero())
    return bad("retry_delay must be positive");
  if (max_attempts == 0)
    return bad("max_attempts must be at least 1");
  if (delivery_deadline <= caf::timespan::zero())
    return bad("delivery_deadline must be positive");
  return caf::none;
}

} // namespace horae::cluster
