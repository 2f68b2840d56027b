// Parsing of a whole cron expression and the day-matching rule.
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/cron_fields.hpp>

#include "cron/field_parser.hpp"

namespace horae {

namespace {

constexpr size_t field_count = std::size(detail::cron_field_specs);

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
    auto set = detail::parse_cron_field(expression, detail::cron_field_specs[i],
                                        fields[i]);
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
