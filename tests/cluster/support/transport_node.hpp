// One cluster node for transport tests: a real-time runtime with the
// transport module, a hand-set ownership view and a "counter" actor type
// that reports what it receives to a shared inbox.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <horae/cluster/transport/router.hpp>
#include <horae/cluster/transport/transport_module.hpp>
#include <horae/core/actor.hpp>
#include <horae/core/runtime.hpp>

#include "cluster/support/inbox.hpp"
#include "cluster/support/static_ownership.hpp"

namespace horae::test {

/// Partitions of the test clusters.
constexpr uint32_t test_partitions = 16;

/// Short bounds, so failures show within a second or two.
inline cluster::transport_options fast_options(std::string node_id) {
  using namespace std::chrono_literals;
  cluster::transport_options opts;
  opts.node_id = std::move(node_id);
  opts.heartbeat_interval = 100ms;
  opts.connection_timeout = 500ms;
  opts.connect_timeout = 1s;
  opts.forward_timeout = 1s;
  opts.retry_delay = 20ms;
  opts.max_attempts = 4;
  opts.delivery_deadline = 2s;
  return opts;
}

/// A running node.
struct transport_node {
  std::string id;
  std::shared_ptr<static_ownership> view;
  std::unique_ptr<runtime> rt;
  cluster::router* router = nullptr;

  cluster::node_address address() const {
    return {id, "127.0.0.1", router->port()};
  }

  /// Delivers the number `x` to counter `key`; see `deliver`.
  caf::error deliver_int(const std::string& key, int32_t x) {
    return deliver("counter", key, caf::make_message(x));
  }

  /// Starts a delivery through this node's router.
  /// @returns where its outcome will appear.
  std::future<caf::error> start_delivery(const std::string& type,
                                         const std::string& key,
                                         caf::message msg) {
    auto outcome = std::make_shared<std::promise<caf::error>>();
    auto result = outcome->get_future();
    router->deliver(
      type, key, std::move(msg),
      [outcome](const caf::error& err) { outcome->set_value(err); });
    return result;
  }

  /// Delivers through this node's router and waits for the outcome.
  caf::error deliver(const std::string& type, const std::string& key,
                     caf::message msg) {
    auto result = start_delivery(type, key, std::move(msg));
    if (result.wait_for(std::chrono::seconds{10}) != std::future_status::ready)
      throw std::runtime_error("delivery outcome never reported");
    return result.get();
  }
};

/// Starts node `id`. Its "counter" actors add "<id>/<key>:<int>" or
/// "<id>/<key>:<string>" to `received`.
inline transport_node start_node(std::string id,
                                 std::shared_ptr<inbox> received,
                                 cluster::transport_options opts = {},
                                 uint32_t partitions = test_partitions) {
  if (opts.node_id.empty())
    opts = fast_options(id);
  transport_node node;
  node.id = id;
  node.view = std::make_shared<static_ownership>(id, partitions);
  config cfg;
  cfg.add_module(cluster::transport_module(opts, node.view));
  auto rt = runtime::make(std::move(cfg));
  if (!rt)
    throw std::runtime_error(describe(rt.error()));
  node.rt = std::move(*rt);
  node.router = node.rt->find_service<cluster::router>();
  auto err = node.rt->define("counter", [id, received](actor* self) {
    auto prefix = id + "/" + self->identity()->key + ":";
    return caf::behavior{
      [=](int32_t x) { received->add(prefix + std::to_string(x)); },
      [=](const std::string& x) { received->add(prefix + x); },
    };
  });
  if (err)
    throw std::runtime_error(describe(err));
  return node;
}

/// Starts sender "a" and owner "b": b owns every partition in both views.
inline std::pair<transport_node, transport_node>
start_sender_and_owner(const std::shared_ptr<inbox>& received,
                       cluster::transport_options a_options = {},
                       cluster::transport_options b_options = {}) {
  auto a = start_node("a", received, std::move(a_options));
  auto b = start_node("b", received, std::move(b_options));
  a.view->assign_all(b.address());
  b.view->assign_all(b.address());
  return {std::move(a), std::move(b)};
}

} // namespace horae::test
