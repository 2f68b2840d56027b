// The parser of a single cron field: values, names, ranges, steps, lists.
#include "cron/field_parser.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>

namespace horae::detail {

namespace {

constexpr const char* month_names[]
  = {"jan", "feb", "mar", "apr", "may", "jun",
     "jul", "aug", "sep", "oct", "nov", "dec"};

constexpr const char* weekday_names[]
  = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/// Reads decimal digits of any length without overflowing: counting stops
/// once the value passes `max`.
/// @returns the value (`max + 1` for anything larger), or none if `text` is
///          empty or holds anything but digits.
std::optional<unsigned> read_number(std::string_view text, unsigned max) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
      }))
    return std::nullopt;
  unsigned result = 0;
  for (auto c : text) {
    result = result * 10 + static_cast<unsigned>(c - '0');
    if (result > max)
      return max + 1;
  }
  return result;
}

/// Reads one field into a set of values from `spec.min` to `spec.max`.
class field_parser {
public:
  field_parser(std::string_view expression, const cron_field_spec& spec)
    : expression_(expression), spec_(spec) {
    // nop
  }

  caf::expected<std::vector<bool>> parse(std::string_view text) {
    std::vector<bool> set(spec_.max + 1, false);
    size_t pos = 0;
    for (;;) {
      auto comma = text.find(',', pos);
      auto item = text.substr(pos, comma == std::string_view::npos
                                     ? std::string_view::npos
                                     : comma - pos);
      if (auto err = parse_item(item, set))
        return err;
      if (comma == std::string_view::npos)
        return set;
      pos = comma + 1;
    }
  }

private:
  caf::error fail(std::string_view bad, const std::string& why) const {
    return make_error(errc::invalid_argument,
                      "cron expression '" + quote_for_message(expression_)
                        + "': " + spec_.name + " field '"
                        + quote_for_message(bad) + "': " + why);
  }

  caf::expected<unsigned> value(std::string_view text) const {
    if (text.empty())
      return fail(text, "missing value");
    if (auto number = read_number(text, spec_.max)) {
      if (*number < spec_.min || *number > spec_.max)
        return fail(text, "out of range " + std::to_string(spec_.min) + "-"
                            + std::to_string(spec_.max));
      return *number;
    }
    std::string lower;
    for (auto c : text)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < spec_.name_count; ++i)
      if (lower == spec_.names[i])
        return spec_.min + static_cast<unsigned>(i);
    return fail(text, spec_.names != nullptr
                        ? "neither a number nor a known name"
                        : "not a number");
  }

  caf::error parse_item(std::string_view item, std::vector<bool>& set) const {
    auto slash = item.find('/');
    auto range = item.substr(0, slash);
    unsigned first = spec_.min;
    unsigned last = spec_.max;
    unsigned step = 1;
    if (slash != std::string_view::npos) {
      auto step_text = item.substr(slash + 1);
      auto parsed = step_value(step_text, item);
      if (!parsed)
        return std::move(parsed.error());
      step = *parsed;
    }
    if (range != "*") {
      auto dash = range.find('-');
      auto low = value(range.substr(0, dash));
      if (!low)
        return std::move(low.error());
      first = *low;
      if (dash != std::string_view::npos) {
        auto high = value(range.substr(dash + 1));
        if (!high)
          return std::move(high.error());
        // `fri-sun`: Sunday closes a weekday range as 7 (but `sun-sun` is
        // Sunday alone).
        last = *high == 0 && first > 0 && spec_.max == 7 ? 7 : *high;
        if (last < first)
          return fail(item, "range runs backwards");
      } else if (slash == std::string_view::npos) {
        last = first; // a single value
      }
    }
    for (auto v = first; v <= last; v += step)
      set[v] = true;
    return caf::none;
  }

  caf::expected<unsigned> step_value(std::string_view text,
                                     std::string_view item) const {
    auto number = read_number(text, spec_.max);
    if (!number)
      return fail(item, "step is not a number");
    if (*number > spec_.max)
      return fail(item, "step exceeds " + std::to_string(spec_.max));
    if (*number == 0)
      return fail(item, "step must be at least 1");
    return *number;
  }

  std::string_view expression_;
  const cron_field_spec& spec_;
};

} // namespace

const cron_field_spec cron_field_specs[5] = {
  {"minute", 0, 59, nullptr, 0},
  {"hour", 0, 23, nullptr, 0},
  {"day-of-month", 1, 31, nullptr, 0},
  {"month", 1, 12, month_names, 12},
  // 7 is Sunday as well, so ranges such as fri-sun read naturally.
  {"day-of-week", 0, 7, weekday_names, 7},
};

caf::expected<std::vector<bool>> parse_cron_field(std::string_view expression,
                                                  const cron_field_spec& spec,
                                                  std::string_view text) {
  return field_parser{expression, spec}.parse(text);
}

} // namespace horae::detail
