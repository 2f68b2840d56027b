// Gauges the registry keeps itself: shared by name, moved by their writers,
// read without touching them, and never confused with a reader gauge.
#include <stdexcept>

#include <horae/core/metrics.hpp>

#include <gtest/gtest.h>

using namespace horae;

// Registering a kept gauge twice returns the same one; both writers move it.
TEST(MetricsGauge, SameNameSharesOneGauge) {
  metrics registry;
  auto& a = registry.add_gauge("test_depth", "depth");
  auto& b = registry.add_gauge("test_depth", "depth");
  EXPECT_EQ(&a, &b);
  a.add(3);
  b.add(-1);
  EXPECT_EQ(registry.value("test_depth"), 2.0);
  EXPECT_NE(registry.prometheus_text().find("# TYPE test_depth gauge\n"
                                            "test_depth 2\n"),
            std::string::npos);
}

// Kept gauges survive `remove_gauges`, which forgets only readers of
// services: their writers may still run.
TEST(MetricsGauge, KeptGaugesOutliveReaders) {
  metrics registry;
  registry.add_gauge("test_read", "read", [] { return 7.0; });
  registry.add_gauge("test_kept", "kept").add(4);
  registry.remove_gauges();
  EXPECT_FALSE(registry.value("test_read"));
  EXPECT_EQ(registry.value("test_kept"), 4.0);
}

// A name taken by another kind of metric is a programming error.
TEST(MetricsGauge, NameOfAnotherKindThrows) {
  metrics registry;
  registry.add_counter("test_total", "count");
  registry.add_gauge("test_read", "read", [] { return 1.0; });
  EXPECT_THROW(registry.add_gauge("test_total", "x"), std::invalid_argument);
  EXPECT_THROW(registry.add_gauge("test_read", "x"), std::invalid_argument);
}
