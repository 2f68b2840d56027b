// A TCP proxy process for the chaos run: it stands between one node and the
// database server, so that the run can freeze that node's connections
// (SIGSTOP of the proxy: nothing passes, nothing closes) or cut them
// (SIGKILL: every connection resets; started again on the same port, it
// lets new connections through).
//
// Usage: tcp_proxy <target port> [listen port]
// Prints the port it listens on (127.0.0.1), then relays until SIGTERM or
// SIGINT.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "cluster/support/tcp_relay.hpp"

namespace {

/// @returns `text` as a port number, or 0 if it is none (0 itself included,
///          which asks the OS for a port when listening).
uint16_t parse_port(const char* text) {
  char* end = nullptr;
  auto value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value < 0 || value > 65535)
    return 0;
  return static_cast<uint16_t>(value);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || parse_port(argv[1]) == 0) {
    std::fprintf(stderr, "usage: %s <target port> [listen port]\n", argv[0]);
    return 2;
  }
  // Blocked before the relay's thread starts, so that only sigwait below
  // takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    horae::test::tcp_relay relay{parse_port(argv[1]),
                                 argc == 3 ? parse_port(argv[2]) : uint16_t{0}};
    std::printf("%u\n", static_cast<unsigned>(relay.port()));
    std::fflush(stdout);
    int received = 0;
    sigwait(&stop_signals, &received);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tcp_proxy: %s\n", e.what());
    return 1;
  }
  return 0;
}
