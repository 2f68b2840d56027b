// Metrics: readable from code, and scraped over HTTP with a real client
// (curl) while reminders fire; a port in use is a clear start-up error.
#include <array>
#include <cstdio>
#include <string>

#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/test_runtime.hpp>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace horae;
using namespace std::chrono_literals;

namespace {

/// A TCP port nobody listens on right now.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// What `curl` prints for `url`.
std::string curl(const std::string& url) {
  std::string out;
  auto cmd = "curl -s --max-time 10 " + url;
  auto pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
    out.append(buf.data(), n);
  ::pclose(pipe);
  return out;
}

testkit::test_runtime_options with_metrics(int port,
                                           std::shared_ptr<testkit::probe> p) {
  testkit::test_runtime_options opts;
  opts.reminders = true;
  opts.args = {"--horae.metrics.port=" + std::to_string(port)};
  opts.setup
    = [p](runtime& rt) { return rt.define("billing", p->recorder(true)); };
  return opts;
}

} // namespace

TEST(Metrics, ScrapedOverHttpWhileRemindersFire) {
  auto port = free_port();
  auto p = testkit::probe::make();
  testkit::test_runtime t{with_metrics(port, p)};
  auto a = t->ref("billing", "acme")->resolve();
  ASSERT_TRUE(a);
  t.run_in(*a, [](actor& self) {
    ASSERT_FALSE(reminders(&self).upsert("bill", 1s, 1s));
    ASSERT_FALSE(timers(&self).start_periodic("tick", 500ms));
  });
  t.advance(3s);
  ASSERT_EQ(p->count("bill"), 3u);
  // Read from code.
  EXPECT_EQ(t->metrics().value("horae_reminders_delivered_total"), 3.0);
  EXPECT_EQ(t->metrics().value("horae_virtual_actors_active"), 1.0);
  // The actor's six ticks, and the reminder dispatcher's own timers.
  EXPECT_GE(t->metrics().value("horae_timers_fired_total").value_or(0), 6.0);
  EXPECT_EQ(t->metrics().value("horae_reminder_tardiness_seconds_count"), 3.0);
  // Scraped as Prometheus does.
  auto text = curl("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  for (auto* expected :
       {"# TYPE horae_reminders_delivered_total counter",
        "horae_reminders_delivered_total 3\n",
        "# TYPE horae_reminder_tardiness_seconds histogram",
        "horae_reminder_tardiness_seconds_bucket{le=\"0.001\"} 3\n",
        "horae_reminder_tardiness_seconds_count 3\n",
        "# TYPE horae_timers_fired_total counter",
        "# TYPE horae_timers_pending gauge", "horae_reminders_window 1\n",
        "horae_virtual_actors_active 1\n",
        "horae_virtual_actor_activations_total 1\n",
        "# TYPE horae_reminder_store_commit_seconds histogram",
        "horae_timer_stale_fires_dropped_total 0\n"})
    EXPECT_NE(text.find(expected), std::string::npos)
      << "missing '" << expected << "' in:\n"
      << text;
  EXPECT_EQ(t->metrics().value("no_such_metric"), std::nullopt);
}

// A port that is taken fails start-up with the address, not later.
TEST(Metrics, PortInUseIsAStartupError) {
  auto port = free_port();
  auto p = testkit::probe::make();
  testkit::test_runtime first{with_metrics(port, p)};
  try {
    testkit::test_runtime second{with_metrics(port, p)};
    FAIL() << "a second runtime listened on the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find("cannot listen on 127.0.0.1:"
                                         + std::to_string(port)),
              std::string::npos)
      << e.what();
  }
}

// Off by default: no endpoint unless a port is configured.
TEST(Metrics, NoEndpointByDefault) {
  config cfg;
  EXPECT_EQ(cfg.get_int("horae.metrics.port"), 0);
  EXPECT_EQ(cfg.get_string("horae.metrics.address"), "127.0.0.1");
}
