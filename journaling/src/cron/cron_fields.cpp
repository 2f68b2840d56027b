// Parsing of the five cron fields and the day-matching rule.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/cron_fields.hpp>

namespace horae {

namespace {

// -- field descriptions -------------------------------------------------------

struct field_spec {
  const char* name;
  unsigned min;
  unsigned max;
  /// Names of the values from `min` on, or null.
  const char* const* names;
  size_t name_count;
};

constexpr const char* month_names[]
  = {"jan", "feb", "mar", "apr", "may", "jun",
     "jul", "aug", "sep", "oct", "nov", "dec"};

constexpr const char* weekday_names[]
  = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr field_spec specs[] = {
  {"minute", 0, 59, nullptr, 0},
  {"hour", 0, 23, nullptr, 0},
  {"day-of-month", 1, 31, nullptr, 0},
  {"month", 1, 12, month_names, 12},
  // 7 is Sunday as well, so ranges such as fri-sun read naturally.
  {"day-of-week", 0, 7, weekday_names, 7},
};

constexpr size_t field_count = std::size(specs);

struct macro {
  const char* name;
  const char* expansion;
};

constexpr macro macros[] = {
  {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
  {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
  {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
  {"@hourly", "0 * * * *"},
};

/// Days in each month of a leap year: a day of the month is possible in a
/// month if some year has it.
constexpr unsigned longest_month[]
  = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// -- parsing ------------------------------------------------------------------

/// Reads one field into a set of values from `spec.min` to `spec.max`.
class field_parser {
public:
  field_parser(std::string_view expression, const field_spec& spec)
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
    if (std::all_of(text.begin(), text.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      // Any number of digits: stop counting once beyond the range.
      unsigned result = 0;
      for (auto c : text) {
        result = result * 10 + static_cast<unsigned>(c - '0');
        if (result > spec_.max)
          return fail(text, "out of range " + std::to_string(spec_.min) + "-"
                              + std::to_string(spec_.max));
      }
      if (result < spec_.min)
        return fail(text, "out of range " + std::to_string(spec_.min) + "-"
                            + std::to_string(spec_.max));
      return result;
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
        // `fri-sun`: Sunday closes a weekday range as 7.
        last = *high == 0 && spec_.max == 7 ? 7 : *high;
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
    bool digits = !text.empty()
                  && std::all_of(text.begin(), text.end(),
                                 [](char c) { return c >= '0' && c <= '9'; });
    if (!digits)
      return fail(item, "step is not a number");
    unsigned result = 0;
    for (auto c : text) {
      result = result * 10 + static_cast<unsigned>(c - '0');
      if (result > spec_.max)
        return fail(item, "step exceeds " + std::to_string(spec_.max));
    }
    if (result == 0)
      return fail(item, "step must be at least 1");
    return result;
  }

  std::string_view expression_;
  const field_spec& spec_;
};

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> result;
  size_t pos = 0;
  // Any white space separates, so a line pasted from a crontab (with its
  // line end) reads as typed.
  auto blank
    = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (pos < text.size()) {
    while (pos < text.size() && blank(text[pos]))
      ++pos;
    auto begin = pos;
    while (pos < text.size() && !blank(text[pos]))
      ++pos;
    if (pos > begin)
      result.push_back(text.substr(begin, pos - begin));
  }
  return result;
}

template <size_t N>
void copy_into(const std::vector<bool>& from, std::bitset<N>& to) {
  for (size_t i = 0; i < N && i < from.size(); ++i)
    to[i] = from[i];
}

/// A day of the month that no allowed month has can never match unless the
/// weekday field offers days of its own.
bool some_day_exists(const cron_fields& f) {
  for (unsigned m = 1; m <= 12; ++m)
    if (f.months[m])
      for (unsigned d = 1; d <= longest_month[m]; ++d)
        if (f.days_of_month[d])
          return true;
  return false;
}

} // namespace

bool cron_fields::matches_day(unsigned month, unsigned day,
                              unsigned weekday) const noexcept {
  if (!months[month])
    return false;
  bool by_date = days_of_month[day];
  bool by_weekday = days_of_week[weekday];
  if (day_of_month_star || day_of_week_star)
    return by_date && by_weekday;
  return by_date || by_weekday;
}

caf::expected<cron_fields> parse_cron_fields(std::string_view expression) {
  auto quoted
    = [&] { return "cron expression '" + quote_for_message(expression) + "'"; };
  auto fields = split_fields(expression);
  if (fields.size() == 1 && fields[0].front() == '@') {
    for (const auto& m : macros)
      if (fields[0] == m.name)
        return parse_cron_fields(m.expansion);
    return make_error(errc::invalid_argument,
                      quoted()
                        + ": unknown shorthand (use @yearly, @annually, "
                          "@monthly, @weekly, @daily, @midnight or @hourly)");
  }
  if (fields.size() != field_count)
    return make_error(errc::invalid_argument,
                      quoted()
                        + ": expected 5 fields (minute hour "
                          "day-of-month month day-of-week), found "
                        + std::to_string(fields.size()));
  std::array<std::vector<bool>, field_count> sets;
  for (size_t i = 0; i < field_count; ++i) {
    auto set = field_parser{expression, specs[i]}.parse(fields[i]);
    if (!set)
      return std::move(set.error());
    sets[i] = std::move(*set);
  }
  cron_fields result;
  copy_into(sets[0], result.minutes);
  copy_into(sets[1], result.hours);
  copy_into(sets[2], result.days_of_month);
  copy_into(sets[3], result.months);
  copy_into(sets[4], result.days_of_week);
  if (sets[4][7])
    result.days_of_week[0] = true;
  result.day_of_month_star = fields[2].front() == '*';
  result.day_of_week_star = fields[4].front() == '*';
  bool weekdays_add_days
    = !result.day_of_month_star && !result.day_of_week_star;
  if (!weekdays_add_days && !some_day_exists(result))
    return make_error(errc::invalid_argument,
                      quoted() + ": day-of-month field '"
                        + quote_for_message(fields[2])
                        + "' names no day that the month field's months have");
  return result;
}

} // namespace horae
