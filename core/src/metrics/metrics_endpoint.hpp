// Serves the runtime's metrics over HTTP (GET /metrics) in Prometheus' text
// format, on its own thread, when `horae.metrics.port` is set.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include <caf/error.hpp>

#include <horae/core/metrics.hpp>
#include <horae/core/service.hpp>

namespace httplib {
class Server;
} // namespace httplib

namespace horae::detail {

class metrics_endpoint : public service {
public:
  metrics_endpoint(const metrics& source, std::string address, int port);

  ~metrics_endpoint() override;

  /// Binds the port; called before the runtime starts its services, so that
  /// a port in use fails `runtime::make` with a clear error.
  caf::error bind();

  std::string_view name() const noexcept override {
    return "metrics_endpoint";
  }

  void start() override;

  void stop() override;

private:
  const metrics* source_;
  std::string address_;
  int port_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

} // namespace horae::detail
