// Metric registration, reading and the Prometheus text format.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>

#include <horae/core/metrics.hpp>

namespace horae {

namespace {

void check_metric_name(const std::string& name) {
  auto ok = !name.empty()
            && (std::isalpha(static_cast<unsigned char>(name[0]))
                || name[0] == '_' || name[0] == ':');
  for (auto c : name)
    ok = ok
         && (std::isalnum(static_cast<unsigned char>(c)) || c == '_'
             || c == ':');
  if (!ok)
    throw std::invalid_argument("horae::metrics: malformed metric name '" + name
                                + "'");
}

std::string number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", x);
  return buf;
}

double seconds(clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace

// -- histogram ----------------------------------------------------------------

histogram::histogram(std::vector<clock::duration> bounds)
  : bounds_(std::move(bounds)),
    buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 0; i <= bounds_.size(); ++i)
    buckets_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(clock::duration d) noexcept {
  size_t i = 0;
  while (i < bounds_.size() && d > bounds_[i])
    ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(d.count(), std::memory_order_relaxed);
}

// -- registration -------------------------------------------------------------

metrics::entry* metrics::find(const std::string& name) {
  for (auto& e : entries_)
    if (e.name == name)
      return &e;
  return nullptr;
}

counter& metrics::add_counter(const std::string& name,
                              const std::string& help) {
  check_metric_name(name);
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto e = find(name); e != nullptr && e->c != nullptr)
    return *e->c;
  auto& c = counters_.emplace_back();
  entries_.push_back(
    entry{name, help, kind::counter, &c, {}, nullptr, nullptr});
  return c;
}

gauge& metrics::add_gauge(const std::string& name, const std::string& help) {
  check_metric_name(name);
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto e = find(name); e != nullptr) {
    if (e->g == nullptr)
      throw std::invalid_argument("horae::metrics: '" + name
                                  + "' is registered as another kind");
    return *e->g;
  }
  auto& g = gauges_.emplace_back();
  entries_.push_back(entry{name, help, kind::gauge, nullptr, {}, nullptr, &g});
  return g;
}

void metrics::add_reader(const std::string& name, const std::string& help,
                         kind what, std::function<double()> read) {
  check_metric_name(name);
  std::lock_guard<std::mutex> guard{mtx_};
  if (find(name) != nullptr)
    return;
  entries_.push_back(
    entry{name, help, what, nullptr, std::move(read), nullptr, nullptr});
}

void metrics::add_gauge(const std::string& name, const std::string& help,
                        std::function<double()> read) {
  add_reader(name, help, kind::gauge, std::move(read));
}

void metrics::add_counter_reader(const std::string& name,
                                 const std::string& help,
                                 std::function<double()> read) {
  add_reader(name, help, kind::counter, std::move(read));
}

void metrics::remove_gauge(const std::string& name) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto i = entries_.begin(); i != entries_.end(); ++i) {
    if (i->name == name && i->what == kind::gauge) {
      entries_.erase(i);
      return;
    }
  }
}

void metrics::remove_gauges() {
  std::lock_guard<std::mutex> guard{mtx_};
  entries_.erase(
    std::remove_if(entries_.begin(), entries_.end(),
                   [](const entry& e) { return static_cast<bool>(e.read); }),
    entries_.end());
}

histogram& metrics::add_histogram(const std::string& name,
                                  const std::string& help,
                                  std::vector<clock::duration> bounds) {
  check_metric_name(name);
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto e = find(name); e != nullptr && e->h != nullptr)
    return *e->h;
  auto& h = histograms_.emplace_back(std::move(bounds));
  entries_.push_back(
    entry{name, help, kind::histogram, nullptr, {}, &h, nullptr});
  return h;
}

// -- reading ------------------------------------------------------------------

std::vector<metrics::sample> metrics::read() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return read_locked();
}

std::vector<metrics::sample> metrics::read_locked() const {
  std::vector<sample> result;
  for (const auto& e : entries_) {
    switch (e.what) {
      case kind::counter:
        result.push_back({e.name, e.c != nullptr
                                    ? static_cast<double>(e.c->value())
                                    : (e.read ? e.read() : 0.0)});
        break;
      case kind::gauge:
        result.push_back({e.name, e.g != nullptr
                                    ? static_cast<double>(e.g->value())
                                    : (e.read ? e.read() : 0.0)});
        break;
      case kind::histogram: {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < e.h->bounds().size(); ++i) {
          cumulative += e.h->bucket(i);
          result.push_back({e.name + "_bucket{le=\""
                              + number(seconds(e.h->bounds()[i])) + "\"}",
                            static_cast<double>(cumulative)});
        }
        result.push_back(
          {e.name + "_bucket{le=\"+Inf\"}", static_cast<double>(e.h->count())});
        result.push_back({e.name + "_sum", seconds(e.h->sum())});
        result.push_back(
          {e.name + "_count", static_cast<double>(e.h->count())});
        break;
      }
    }
  }
  return result;
}

std::optional<double> metrics::value(const std::string& name) const {
  for (auto& s : read())
    if (s.name == name)
      return s.value;
  return std::nullopt;
}

std::string metrics::prometheus_text() const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto samples = read_locked();
  std::string out;
  size_t next = 0;
  for (const auto& e : entries_) {
    const char* type = e.what == kind::counter ? "counter"
                       : e.what == kind::gauge ? "gauge"
                                               : "histogram";
    out += "# HELP " + e.name + " " + e.help + "\n";
    out += "# TYPE " + e.name + " " + type + "\n";
    size_t n = e.what == kind::histogram ? e.h->bounds().size() + 3 : 1;
    for (size_t i = 0; i < n && next < samples.size(); ++i, ++next)
      out += samples[next].name + " " + number(samples[next].value) + "\n";
  }
  return out;
}

} // namespace horae
