// Duration parsing with explicit errors: CAF 0.17's own parser turns "-3s"
// into zero, which would silently disable a timer.
#include <cctype>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>

namespace horae {

namespace {

struct unit {
  std::string_view suffix;
  int64_t nanos;
};

// Longest suffixes first so that "ms" is not read as "m" + garbage.
constexpr unit units[] = {
  {"min", 60'000'000'000LL},
  {"ns", 1LL},
  {"us", 1'000LL},
  {"ms", 1'000'000LL},
  {"s", 1'000'000'000LL},
  {"h", 3'600'000'000'000LL},
  {"d", 86'400'000'000'000LL},
};

caf::error bad(std::string_view text, std::string_view why) {
  std::string msg = "invalid duration \"";
  msg.append(text.data(), text.size());
  msg += "\": ";
  msg += why;
  msg += " (expected <number><unit> with unit ns, us, ms, s, min, h or d,"
         " e.g. 500ms)";
  return make_error(errc::invalid_argument, std::move(msg));
}

} // namespace

std::optional<std::string> whole_duration_for(std::string_view text) {
  // <digits>.<digits><unit>, computed in integers: 1.5s is exactly 1500ms.
  size_t pos = 0;
  uint64_t whole = 0;
  while (pos < text.size()
         && std::isdigit(static_cast<unsigned char>(text[pos])))
    whole = whole * 10 + static_cast<uint64_t>(text[pos++] - '0');
  if (pos == 0 || pos >= text.size() || text[pos] != '.' || pos > 12)
    return std::nullopt;
  ++pos;
  uint64_t fraction = 0;
  uint64_t scale = 1;
  while (pos < text.size()
         && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (scale > 1'000'000'000)
      return std::nullopt; // below a nanosecond in any unit
    fraction = fraction * 10 + static_cast<uint64_t>(text[pos++] - '0');
    scale *= 10;
  }
  auto suffix = text.substr(pos);
  for (const auto& u : units) {
    if (suffix != u.suffix)
      continue;
    auto nanos = static_cast<uint64_t>(u.nanos);
    if (whole > 1'000'000 || (fraction * nanos) % scale != 0)
      return std::nullopt; // too large to bother, or not whole nanoseconds
    auto ns = whole * nanos + fraction * nanos / scale;
    return format_duration(clock::duration{static_cast<int64_t>(ns)});
  }
  return std::nullopt;
}

caf::expected<clock::duration> parse_duration(std::string_view text) {
  auto str = text;
  while (!str.empty() && std::isspace(static_cast<unsigned char>(str.front())))
    str.remove_prefix(1);
  while (!str.empty() && std::isspace(static_cast<unsigned char>(str.back())))
    str.remove_suffix(1);
  if (str.empty())
    return bad(text, "empty");
  if (str.front() == '-')
    return bad(text, "negative durations are not allowed");
  if (str.front() == '+')
    str.remove_prefix(1);
  size_t pos = 0;
  uint64_t value = 0;
  constexpr uint64_t limit = std::numeric_limits<int64_t>::max();
  while (pos < str.size()
         && std::isdigit(static_cast<unsigned char>(str[pos]))) {
    value = value * 10 + static_cast<uint64_t>(str[pos] - '0');
    if (value > limit)
      return bad(text, "too large");
    ++pos;
  }
  if (pos == 0)
    return bad(text, "no number");
  auto suffix = str.substr(pos);
  if (suffix.empty())
    return bad(text, "missing unit");
  if (suffix.front() == '.') {
    if (auto whole = whole_duration_for(str))
      return bad(text, "durations are whole numbers: use " + *whole);
    return bad(text, "durations are whole numbers: use a smaller unit");
  }
  for (const auto& u : units) {
    if (suffix == u.suffix) {
      if (value > limit / static_cast<uint64_t>(u.nanos))
        return bad(text, "too large");
      return clock::duration{static_cast<int64_t>(value) * u.nanos};
    }
  }
  return bad(text, "unknown unit");
}

namespace {

/// Units from the largest down, for printing.
constexpr unit largest_first[] = {
  {"d", 86'400'000'000'000LL},
  {"h", 3'600'000'000'000LL},
  {"min", 60'000'000'000LL},
  {"s", 1'000'000'000LL},
  {"ms", 1'000'000LL},
  {"us", 1'000LL},
  {"ns", 1LL},
};

/// The sign of `d` as text and its magnitude as unsigned: negating INT64_MIN
/// as a signed value would overflow (and print a second minus).
std::pair<std::string, uint64_t> sign_and_magnitude(clock::duration d) {
  if (d.count() < 0)
    return {"-", 0 - static_cast<uint64_t>(d.count())};
  return {"", static_cast<uint64_t>(d.count())};
}

} // namespace

std::string format_duration(clock::duration d) {
  if (d.count() == 0)
    return "0s";
  auto [sign, ns] = sign_and_magnitude(d);
  // Prefer the largest unit that divides exactly; "min" reads better than
  // "60s" but "90s" better than "1min30s".
  for (const auto& u : largest_first)
    if (ns % static_cast<uint64_t>(u.nanos) == 0)
      return sign + std::to_string(ns / static_cast<uint64_t>(u.nanos))
             + std::string{u.suffix};
  return sign + std::to_string(ns) + "ns";
}

std::string describe_duration(clock::duration d) {
  if (d.count() == 0)
    return "0s";
  auto [sign, ns] = sign_and_magnitude(d);
  for (const auto& u : largest_first) {
    auto nanos = static_cast<uint64_t>(u.nanos);
    if (ns < nanos)
      continue;
    auto value = static_cast<double>(ns) / static_cast<double>(nanos);
    // Three significant digits, then trailing zeros and point dropped.
    char buf[32];
    std::snprintf(buf, sizeof(buf),
                  value >= 100  ? "%.0f"
                  : value >= 10 ? "%.1f"
                                : "%.2f",
                  value);
    std::string text = buf;
    if (text.find('.') != std::string::npos) {
      while (text.back() == '0')
        text.pop_back();
      if (text.back() == '.')
        text.pop_back();
    }
    return sign + text + std::string{u.suffix};
  }
  return sign + std::to_string(ns) + "ns";
}

} // namespace horae
