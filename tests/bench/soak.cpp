// Soak: churns 100k timers and 10k reminders per round across 1,000 virtual
// actors for a configurable time and samples RSS once per round. After the
// warm-up (first quarter of the run) RSS must stay flat.
//
// Usage: soak [--seconds=N] [--actors=N]   (defaults 20 s, 1,000 actors)
// Last line: rss_growth_after_warmup_percent=<x>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/atom.hpp>

#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_fired.hpp>
#include <horae/facets/reminder_service.hpp>
#include <horae/facets/reminders_module.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/facets/timer_fired.hpp>
#include <horae/facets/timer_service.hpp>
#include <horae/facets/timers_module.hpp>

#include "support/measure.hpp"
#include <malloc.h>

using namespace std::chrono_literals;

namespace {

using churn_atom = caf::atom_constant<caf::atom("churn")>;

constexpr int timers_per_actor = 100;
constexpr int reminders_per_actor = 10;

// Bytes the allocator has handed out and not got back, over all of glibc's
// arenas (mallinfo2 sees only the main one): the total it got from the
// system minus its free chunks. If this is flat while RSS creeps, the creep
// is freed memory the allocator keeps, not a leak.
double heap_in_use_mib() {
  char* text = nullptr;
  size_t len = 0;
  auto* out = open_memstream(&text, &len);
  if (out == nullptr)
    return 0;
  malloc_info(0, out);
  std::fclose(out);
  std::string xml{text, len};
  std::free(text);
  // The totals over all arenas follow the last </heap>.
  auto totals = xml.substr(xml.rfind("</heap>") + 1);
  auto value = [&](const std::string& tag) -> double {
    auto at = totals.find(tag);
    if (at == std::string::npos)
      return 0;
    at = totals.find("size=\"", at);
    return std::strtod(totals.c_str() + at + 6, nullptr);
  };
  auto in_use = value("<system type=\"current\"")
                - value("<total type=\"fast\"") - value("<total type=\"rest\"")
                + value("<total type=\"mmap\"");
  return in_use / (1024.0 * 1024.0);
}

/// A field of /proc/self/status in MiB, e.g. "VmRSS" or "RssAnon".
double status_mib(const char* field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  auto prefix = std::string{field} + ":";
  while (std::getline(in, line))
    if (line.compare(0, prefix.size(), prefix) == 0)
      return std::strtod(line.c_str() + prefix.size(), nullptr) / 1024.0;
  return 0;
}

// Each churn replaces every timer (half of them are then cancelled) and
// re-registers every reminder, so memory is recycled, never accumulated.
horae::actor_factory churner() {
  return [](horae::actor* self) -> caf::behavior {
    self->attach<horae::timer_facet>();
    self->attach<horae::reminder_facet>();
    auto rng = std::make_shared<std::minstd_rand>(
      std::hash<std::string>{}(self->display_name()));
    return {
      [self, rng](churn_atom) {
        auto& timers = horae::timers(self);
        std::uniform_int_distribution<int> delay{1, 900};
        for (int i = 0; i < timers_per_actor; ++i) {
          auto name = "t" + std::to_string(i);
          timers.start_once(name, std::chrono::milliseconds{delay(*rng)});
          if (i % 2 == 0)
            timers.cancel(name);
        }
        auto& reminders = horae::reminders(self);
        for (int i = 0; i < reminders_per_actor; ++i)
          reminders.upsert("r" + std::to_string(i),
                           std::chrono::milliseconds{delay(*rng)}, 1s);
      },
      [](const horae::timer_fired&) {},
      [](const horae::reminder_fired&) {},
    };
  };
}

} // namespace

int main(int argc, char** argv) {
  long seconds = 20;
  long actors = 1000;
  for (int i = 1; i < argc; ++i)
    if (!horae::bench::long_option(argv[i], "--seconds", seconds)
        && !horae::bench::long_option(argv[i], "--actors", actors)) {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  if (seconds < 4 || actors < 1) {
    std::fprintf(stderr, "need --seconds >= 4 (a warm-up quarter and a "
                         "measured rest) and --actors >= 1\n");
    return 2;
  }
  std::string dir
    = (std::filesystem::temp_directory_path() / "horae-soak-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr)
    return 1;
  horae::config cfg;
  cfg.add_module(horae::timers_module());
  cfg.add_module(horae::reminders_module());
  cfg.set("horae.reminders.db", caf::config_value{dir + "/soak.db"});
  cfg.set("horae.reminders.max-delivery-rate",
          caf::config_value{int64_t{100'000}});
  cfg.set("horae.log.level", caf::config_value{std::string{"warn"}});
  auto rt = horae::runtime::make(std::move(cfg));
  if (!rt) {
    std::fprintf(stderr, "%s\n", horae::describe(rt.error()).c_str());
    return 1;
  }
  horae::actor_type_options never_idle;
  never_idle.idle_timeout = 0s; // the churners stay active all along
  (*rt)->define("soak", churner(), never_idle);
  std::vector<horae::virtual_ref> refs;
  for (long i = 0; i < actors; ++i)
    refs.push_back(*(*rt)->ref("soak", std::to_string(i)));
  auto* timers = (*rt)->find_service<horae::timer_service>();
  auto* reminders = (*rt)->find_service<horae::reminder_service>();
  std::vector<double> samples;
  std::vector<double> heap;
  auto start = std::chrono::steady_clock::now();
  // Spread each round over ten slices of 100 ms so that the load is steady
  // rather than one burst per second.
  constexpr long slices = 10;
  for (long round = 0; round < seconds; ++round) {
    for (long slice = 0; slice < slices; ++slice) {
      for (size_t i = static_cast<size_t>(slice); i < refs.size(); i += slices)
        refs[i].send(churn_atom::value);
      std::this_thread::sleep_until(start + std::chrono::seconds{round}
                                    + std::chrono::milliseconds{100}
                                        * (slice + 1));
    }
    samples.push_back(status_mib("VmRSS"));
    heap.push_back(heap_in_use_mib());
    std::printf("t=%lds rss=%.1fMiB heap=%.1fMiB anon=%.1fMiB file=%.1fMiB "
                "shmem=%.1fMiB timers_pending=%zu reminders_delivered=%llu\n",
                round + 1, samples.back(), heap.back(), status_mib("RssAnon"),
                status_mib("RssFile"), status_mib("RssShmem"),
                timers->pending(),
                static_cast<unsigned long long>(reminders->delivered()));
    std::fflush(stdout);
  }
  (*rt)->shutdown();
  std::filesystem::remove_all(dir);
  auto warm = samples.size() / 4;
  auto base = samples[warm];
  double peak = 0;
  for (size_t i = warm; i < samples.size(); ++i)
    peak = std::max(peak, samples[i]);
  auto growth = (samples.back() - base) / base * 100.0;
  std::printf("rss after warm-up %.1f MiB, at end %.1f MiB, peak %.1f MiB\n",
              base, samples.back(), peak);
  std::printf("heap in use after warm-up %.1f MiB, at end %.1f MiB\n",
              heap[warm], heap.back());
  // The second half alone: a leak keeps its slope, a high-water mark
  // (containers reaching a new peak load) levels off.
  auto half = samples.size() / 2;
  std::printf("rss_growth_second_half_percent=%.1f\n",
              (samples.back() - samples[half]) / samples[half] * 100.0);
  std::printf("rss_growth_after_warmup_percent=%.1f\n", growth);
  return 0;
}
