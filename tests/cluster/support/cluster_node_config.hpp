// The configuration of a cluster node in the tests: quick leases (1.5 s,
// renewed every 200 ms) on a schema of the tests' PostgreSQL server.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <horae/core/config/config.hpp>
#include <horae/core/error.hpp>

namespace horae::test {

/// Sets `key` in `cfg`, throwing on a bad value.
inline void set_or_throw(config& cfg, const char* key, caf::config_value x) {
  if (auto err = cfg.set(key, std::move(x)))
    throw std::runtime_error(describe(err));
}

/// Sets the options of node `id` of a cluster on `db` with `partitions`;
/// the modules are the caller's.
inline void configure_test_node(config& cfg, const std::string& id,
                                const std::string& db, uint32_t partitions) {
  using std::chrono::milliseconds;
  set_or_throw(cfg, "horae.log.level", caf::config_value{std::string{"off"}});
  set_or_throw(cfg, "horae.cluster.node-id", caf::config_value{id});
  set_or_throw(cfg, "horae.cluster.db", caf::config_value{db});
  set_or_throw(cfg, "horae.cluster.partitions",
               caf::config_value{int64_t{partitions}});
  set_or_throw(cfg, "horae.cluster.lease-ttl",
               caf::config_value{caf::timespan{milliseconds{1500}}});
  set_or_throw(cfg, "horae.cluster.renew-interval",
               caf::config_value{caf::timespan{milliseconds{200}}});
}

} // namespace horae::test
