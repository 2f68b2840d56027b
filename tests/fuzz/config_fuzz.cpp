// Fuzzes config validation: any file text and command-line arguments must
// give a config or an invalid_config error, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <horae/core/config/config_loader.hpp>
#include <horae/core/error.hpp>

namespace {

horae::config_loader make_loader() {
  using namespace std::chrono_literals;
  horae::config_loader loader{"fuzz"};
  loader.add_option(
    horae::option_spec::duration("duration", 1s, 0s, 24h, "fuzzed duration"));
  loader.add_option(horae::option_spec::string_list("app.names", {},
                                                    "fuzzed list", {"a", "b"}));
  return loader;
}

} // namespace

// Input: INI text, then optionally a NUL byte and newline-separated
// command-line arguments.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto loader = make_loader();
  std::string input(reinterpret_cast<const char*>(data), size);
  auto nul = input.find('\0');
  std::string text = input.substr(0, nul);
  std::vector<std::string> args;
  if (nul != std::string::npos) {
    std::string rest = input.substr(nul + 1);
    size_t begin = 0;
    while (begin <= rest.size()) {
      auto end = rest.find('\n', begin);
      if (end == std::string::npos)
        end = rest.size();
      args.push_back(rest.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  auto cfg = loader.load_text(text, args, "fuzz.ini");
  if (!cfg && horae::code_of(cfg.error()) != horae::errc::invalid_config)
    __builtin_trap(); // every failure must be a config error
  return 0;
}
