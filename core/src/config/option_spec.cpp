// Type and range checks of single option values.
#include <algorithm>
#include <charconv>

#include <caf/config_value.hpp>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/config/option_spec.hpp>
#include <horae/core/error.hpp>

namespace horae {

const char* to_string(option_type x) noexcept {
  switch (x) {
    case option_type::boolean:
      return "boolean";
    case option_type::integer:
      return "integer";
    case option_type::duration:
      return "duration";
    case option_type::string:
      return "string";
    case option_type::string_list:
      return "list of strings";
  }
  return "unknown";
}

// -- factories ----------------------------------------------------------------

option_spec option_spec::boolean(std::string key, bool fallback,
                                 std::string description) {
  option_spec r;
  r.key = std::move(key);
  r.type = option_type::boolean;
  r.fallback = caf::config_value{fallback};
  r.description = std::move(description);
  return r;
}

option_spec option_spec::integer(std::string key, int64_t fallback, int64_t min,
                                 int64_t max, std::string description) {
  option_spec r;
  r.key = std::move(key);
  r.type = option_type::integer;
  r.fallback = caf::config_value{fallback};
  r.min_int = min;
  r.max_int = max;
  r.description = std::move(description);
  return r;
}

option_spec option_spec::duration(std::string key, clock::duration fallback,
                                  clock::duration min, clock::duration max,
                                  std::string description) {
  option_spec r;
  r.key = std::move(key);
  r.type = option_type::duration;
  r.fallback = caf::config_value{caf::timespan{fallback}};
  r.min_duration = min;
  r.max_duration = max;
  r.description = std::move(description);
  return r;
}

option_spec option_spec::string(std::string key, std::string fallback,
                                std::string description,
                                std::vector<std::string> choices) {
  option_spec r;
  r.key = std::move(key);
  r.type = option_type::string;
  r.fallback = caf::config_value{std::move(fallback)};
  r.description = std::move(description);
  r.choices = std::move(choices);
  return r;
}

option_spec option_spec::string_list(std::string key,
                                     std::vector<std::string> fallback,
                                     std::string description,
                                     std::vector<std::string> choices) {
  option_spec r;
  r.key = std::move(key);
  r.type = option_type::string_list;
  caf::config_value::list xs;
  for (auto& x : fallback)
    xs.emplace_back(std::move(x));
  r.fallback = caf::config_value{std::move(xs)};
  r.description = std::move(description);
  r.choices = std::move(choices);
  return r;
}

// -- observers ----------------------------------------------------------------

namespace {

std::string join(const std::vector<std::string>& xs) {
  std::string result;
  for (const auto& x : xs) {
    if (!result.empty())
      result += ", ";
    result += '"';
    result += x;
    result += '"';
  }
  return result;
}

std::string render(const caf::config_value& x) {
  if (auto str = caf::get_if<std::string>(&x))
    return '"' + *str + '"';
  if (auto span = caf::get_if<caf::timespan>(&x))
    return format_duration(*span);
  return caf::to_string(x);
}

} // namespace

std::string option_spec::expected_form() const {
  std::string result;
  switch (type) {
    case option_type::boolean:
      return "a boolean (true or false)";
    case option_type::integer:
      result = "an integer from " + std::to_string(min_int) + " to "
               + std::to_string(max_int);
      return result;
    case option_type::duration:
      result
        = "a duration from " + format_duration(min_duration) + " to "
          + format_duration(max_duration) + ", such as "
          + format_duration(std::clamp(clock::duration{std::chrono::seconds{5}},
                                       min_duration, max_duration));
      return result;
    case option_type::string:
      if (choices.empty())
        return "a quoted string";
      return "one of " + join(choices);
    case option_type::string_list:
      if (choices.empty())
        return "a list of quoted strings, such as [\"a\", \"b\"]";
      return "a list of strings, each one of " + join(choices);
  }
  return "?";
}

std::string option_spec::default_text() const {
  return render(fallback);
}

caf::error option_spec::check(const caf::config_value& value,
                              const std::string& source) const {
  auto fail = [&](const std::string& why) {
    return make_error(errc::invalid_config, source + ": key '" + key
                                              + "': " + why + "; expected "
                                              + expected_form());
  };
  auto got = "got " + render(value);
  switch (type) {
    case option_type::boolean:
      if (!caf::holds_alternative<bool>(value))
        return fail("wrong type, " + got);
      return caf::none;
    case option_type::integer: {
      auto x = caf::get_if<int64_t>(&value);
      if (!x)
        return fail("wrong type, " + got);
      if (*x < min_int || *x > max_int)
        return fail("out of range, " + got);
      return caf::none;
    }
    case option_type::duration: {
      auto x = caf::get_if<caf::timespan>(&value);
      if (!x)
        return fail("wrong type, " + got);
      if (*x < min_duration || *x > max_duration)
        return fail("out of range, " + got);
      return caf::none;
    }
    case option_type::string: {
      auto x = caf::get_if<std::string>(&value);
      if (!x)
        return fail("wrong type, " + got);
      if (!choices.empty()
          && std::find(choices.begin(), choices.end(), *x) == choices.end())
        return fail("not allowed, " + got);
      return caf::none;
    }
    case option_type::string_list: {
      auto xs = caf::get_if<caf::config_value::list>(&value);
      if (!xs)
        return fail("wrong type, " + got);
      for (const auto& x : *xs) {
        auto str = caf::get_if<std::string>(&x);
        if (!str)
          return fail("wrong element type, " + got);
        if (!choices.empty()
            && std::find(choices.begin(), choices.end(), *str) == choices.end())
          return fail("element not allowed: \"" + *str + "\"");
      }
      return caf::none;
    }
  }
  return caf::none;
}

caf::expected<caf::config_value>
option_spec::parse(const std::string& text, const std::string& source) const {
  auto fail = [&](const std::string& why) {
    return make_error(errc::invalid_config, source + ": key '" + key
                                              + "': " + why + "; expected "
                                              + expected_form());
  };
  caf::config_value result;
  switch (type) {
    case option_type::boolean:
      if (text == "true")
        result = caf::config_value{true};
      else if (text == "false")
        result = caf::config_value{false};
      else
        return fail("cannot read \"" + text + "\"");
      break;
    case option_type::integer: {
      int64_t x = 0;
      auto first = text.data();
      auto last = first + text.size();
      auto [ptr, ec] = std::from_chars(first, last, x);
      if (ec != std::errc{} || ptr != last || text.empty())
        return fail("cannot read \"" + text + "\"");
      result = caf::config_value{x};
      break;
    }
    case option_type::duration: {
      auto x = parse_duration(text);
      if (!x)
        return fail(describe(x.error()));
      result = caf::config_value{caf::timespan{*x}};
      break;
    }
    case option_type::string: {
      auto str = text;
      if (str.size() >= 2 && str.front() == '"' && str.back() == '"')
        str = str.substr(1, str.size() - 2);
      result = caf::config_value{std::move(str)};
      break;
    }
    case option_type::string_list: {
      auto str = text;
      if (str.size() >= 2 && str.front() == '[' && str.back() == ']')
        str = str.substr(1, str.size() - 2);
      caf::config_value::list xs;
      size_t begin = 0;
      while (begin <= str.size() && !str.empty()) {
        auto end = str.find(',', begin);
        if (end == std::string::npos)
          end = str.size();
        auto item = str.substr(begin, end - begin);
        while (!item.empty() && item.front() == ' ')
          item.erase(0, 1);
        while (!item.empty() && item.back() == ' ')
          item.pop_back();
        if (item.size() >= 2 && item.front() == '"' && item.back() == '"')
          item = item.substr(1, item.size() - 2);
        if (!item.empty())
          xs.emplace_back(std::move(item));
        begin = end + 1;
      }
      result = caf::config_value{std::move(xs)};
      break;
    }
  }
  if (auto err = check(result, source))
    return err;
  return result;
}

} // namespace horae
