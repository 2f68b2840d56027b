// A TCP relay between two nodes that the test can freeze: connections stay
// open but no byte passes any more, as with a stopped process or a network
// that drops packets. Only CAF's heartbeats can notice that.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace horae::test {

/// Listens on 127.0.0.1:`listen_port` (0: one the OS picks) and relays
/// every connection to 127.0.0.1:`target_port` until `freeze()`.
class tcp_relay {
public:
  explicit tcp_relay(uint16_t target_port, uint16_t listen_port = 0)
    : target_port_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    // A relay started again on its old port must not wait for the old
    // connections' TIME_WAIT.
    int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    auto addr = loopback(listen_port);
    socklen_t len = sizeof(addr);
    if (listener_ < 0
        || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0
        || ::listen(listener_, 8) != 0
        || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len)
             != 0)
      throw std::runtime_error("tcp_relay: cannot listen");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread{[this] { run(); }};
  }

  ~tcp_relay() {
    stop_ = true;
    thread_.join();
    for (auto [a, b] : pairs_) {
      ::close(a);
      ::close(b);
    }
    ::close(listener_);
  }

  tcp_relay(const tcp_relay&) = delete;
  tcp_relay& operator=(const tcp_relay&) = delete;

  uint16_t port() const noexcept {
    return port_;
  }

  /// From the return on, relays nothing and closes nothing.
  void freeze() {
    frozen_ = true;
    // Bytes the relay thread is copying right now still pass; wait for it.
    while (!paused_)
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }

  /// Relays again what waited meanwhile, and whatever comes next.
  void thaw() {
    paused_ = false;
    frozen_ = false;
  }

private:
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  void accept_one() {
    auto client = ::accept(listener_, nullptr, nullptr);
    if (client < 0)
      return;
    auto server = ::socket(AF_INET, SOCK_STREAM, 0);
    auto addr = loopback(target_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
        != 0) {
      ::close(client);
      ::close(server);
      return;
    }
    pairs_.emplace_back(client, server);
  }

  /// Copies what `from` has to `to`. @returns false once `from` closed.
  static bool pump(int from, int to) {
    char buf[4096];
    auto n = ::read(from, buf, sizeof(buf));
    if (n <= 0)
      return false;
    for (ssize_t sent = 0; sent < n;) {
      auto k = ::write(to, buf + sent, static_cast<size_t>(n - sent));
      if (k <= 0)
        return false;
      sent += k;
    }
    return true;
  }

  void run() {
    while (!stop_) {
      if (frozen_) {
        paused_ = true;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        continue;
      }
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto [a, b] : pairs_) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 10) <= 0)
        continue;
      // Pairs whose either end closed are closed on both ends.
      std::vector<size_t> closed;
      for (size_t i = 0; i < (fds.size() - 1) / 2; ++i) {
        auto [a, b] = pairs_[i];
        auto ready = [&](size_t k) {
          return (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
        };
        if ((ready(1 + 2 * i) && !pump(a, b))
            || (ready(2 + 2 * i) && !pump(b, a)))
          closed.push_back(i);
      }
      for (auto i = closed.rbegin(); i != closed.rend(); ++i) {
        ::close(pairs_[*i].first);
        ::close(pairs_[*i].second);
        pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(*i));
      }
      if (fds[0].revents & POLLIN)
        accept_one();
    }
  }

  uint16_t target_port_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::vector<std::pair<int, int>> pairs_;
  std::atomic<bool> frozen_{false};
  std::atomic<bool> paused_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace horae::test
