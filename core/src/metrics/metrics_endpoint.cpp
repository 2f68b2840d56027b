// The metrics endpoint on cpp-httplib.
#include "metrics/metrics_endpoint.hpp"

#include <horae/core/error.hpp>

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace horae::detail {

metrics_endpoint::metrics_endpoint(const metrics& source, std::string address,
                                   int port)
  : source_(&source), address_(std::move(address)), port_(port),
    server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics",
               [this](const httplib::Request&, httplib::Response& res) {
                 res.set_content(source_->prometheus_text(),
                                 "text/plain; version=0.0.4; charset=utf-8");
               });
}

metrics_endpoint::~metrics_endpoint() {
  stop();
}

namespace {

/// cpp-httplib binds with SO_REUSEPORT, so a second runtime could share
/// the port (and answer every other scrape). A plain bind first tells a
/// port in use apart.
bool port_is_free(const std::string& address, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints,
                    &found)
      != 0)
    return false;
  bool ok = false;
  for (auto ai = found; ai != nullptr && !ok; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0)
      continue;
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    ok = ::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return ok;
}

} // namespace

caf::error metrics_endpoint::bind() {
  if (!port_is_free(address_, port_)
      || !server_->bind_to_port(address_.c_str(), port_))
    return make_error(errc::invalid_config,
                      "horae.metrics: cannot listen on " + address_ + ":"
                        + std::to_string(port_)
                        + " (port in use, or not an address of this host?)");
  return caf::none;
}

void metrics_endpoint::start() {
  if (thread_.joinable())
    return;
  thread_ = std::thread{[this] { server_->listen_after_bind(); }};
}

void metrics_endpoint::stop() {
  if (!thread_.joinable())
    return;
  server_->stop();
  thread_.join();
}

} // namespace horae::detail
