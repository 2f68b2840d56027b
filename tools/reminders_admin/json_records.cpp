// Conversion of reminder records to and from JSON.
#include "json_records.hpp"

#include <ctime>

#include <horae/core/error.hpp>

namespace horae::admin {

std::string format_time(clock::wall_time t) {
  auto secs
    = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
        .count();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                  t.time_since_epoch())
                  .count()
                % 1000;
  auto raw = static_cast<std::time_t>(secs);
  std::tm utc{};
  gmtime_r(&raw, &utc);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[80];
  std::snprintf(out, sizeof(out), "%s.%03lldZ", buf,
                static_cast<long long>(millis < 0 ? millis + 1000 : millis));
  return out;
}

namespace {

int64_t ns_of(clock::wall_time t) {
  return t.time_since_epoch().count();
}

std::string hex_of(const std::vector<uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string result;
  result.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    result += digits[b >> 4];
    result += digits[b & 0xf];
  }
  return result;
}

caf::expected<std::vector<uint8_t>> bytes_of(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0)
    return make_error(errc::invalid_argument,
                      "payload_hex has an odd number of digits");
  std::vector<uint8_t> result;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto hi = digit(hex[i]);
    auto lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return make_error(errc::invalid_argument,
                        "payload_hex holds a character that is not a hex "
                        "digit");
    result.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return result;
}

/// Reads field `name` of type T, or says which field is wrong.
template <class T>
caf::expected<T> field(const nlohmann::json& x, const char* name) {
  auto i = x.find(name);
  if (i == x.end())
    return make_error(errc::invalid_argument,
                      std::string{"missing field '"} + name + "'");
  try {
    return i->get<T>();
  } catch (const nlohmann::json::exception&) {
    return make_error(errc::invalid_argument,
                      std::string{"field '"} + name + "' has the wrong type");
  }
}

} // namespace

nlohmann::json to_json(const reminder_record& rec) {
  nlohmann::json x;
  x["type"] = rec.key.actor_type;
  x["key"] = rec.key.actor_key;
  x["name"] = rec.key.name;
  x["due"] = format_time(rec.due);
  x["due_ns"] = ns_of(rec.due);
  x["anchor_ns"] = ns_of(rec.anchor);
  x["period_ns"] = rec.period.count();
  x["cron"] = rec.cron;
  x["time_zone"] = rec.time_zone;
  x["max_fires"] = rec.max_fires;
  x["expires_ns"] = rec.expires ? nlohmann::json(ns_of(*rec.expires))
                                : nlohmann::json(nullptr);
  x["fire_count"] = rec.fire_count;
  x["failed_fires"] = rec.failed_fires;
  x["policy"] = to_string(rec.policy);
  x["payload_hex"] = hex_of(rec.payload);
  if (rec.on_failure) {
    x["on_failure"]
      = {{"max_retries", rec.on_failure->max_retries},
         {"retry_delay_ns", rec.on_failure->retry_delay.count()},
         {"max_retry_delay_ns", rec.on_failure->max_retry_delay.count()},
         {"then", to_string(rec.on_failure->then)}};
  } else {
    x["on_failure"] = nullptr;
  }
  x["revision"] = rec.revision;
  x["created"] = format_time(rec.created);
  x["updated"] = format_time(rec.updated);
  return x;
}

caf::expected<reminder_record> record_from_json(const nlohmann::json& x) {
  if (!x.is_object())
    return make_error(errc::invalid_argument, "expected an object");
  reminder_record rec;
  auto type = field<std::string>(x, "type");
  auto key = field<std::string>(x, "key");
  auto name = field<std::string>(x, "name");
  auto due = field<int64_t>(x, "due_ns");
  auto anchor = field<int64_t>(x, "anchor_ns");
  auto period = field<int64_t>(x, "period_ns");
  auto max_fires = field<uint64_t>(x, "max_fires");
  auto fire_count = field<uint64_t>(x, "fire_count");
  auto policy_name = field<std::string>(x, "policy");
  auto payload = field<std::string>(x, "payload_hex");
  if (!type)
    return type.error();
  if (!key)
    return key.error();
  if (!name)
    return name.error();
  if (!due)
    return due.error();
  if (!anchor)
    return anchor.error();
  if (!period)
    return period.error();
  if (!max_fires)
    return max_fires.error();
  if (!fire_count)
    return fire_count.error();
  if (!policy_name)
    return policy_name.error();
  if (!payload)
    return payload.error();
  auto policy = from_string(*policy_name);
  if (!policy)
    return policy.error();
  auto bytes = bytes_of(*payload);
  if (!bytes)
    return bytes.error();
  rec.key = {*type, *key, *name};
  rec.due = clock::wall_time{clock::duration{*due}};
  rec.anchor = clock::wall_time{clock::duration{*anchor}};
  rec.period = clock::duration{*period};
  rec.max_fires = *max_fires;
  rec.fire_count = *fire_count;
  rec.policy = *policy;
  rec.payload = std::move(*bytes);
  // Optional: exports made before cron schedules have neither field.
  for (auto [name, target] :
       {std::pair{"cron", &rec.cron}, std::pair{"time_zone", &rec.time_zone}}) {
    if (x.find(name) == x.end())
      continue;
    auto text = field<std::string>(x, name);
    if (!text)
      return text.error();
    *target = std::move(*text);
  }
  if (auto i = x.find("failed_fires"); i != x.end() && i->is_number_unsigned())
    rec.failed_fires = i->get<uint64_t>();
  if (auto i = x.find("expires_ns"); i != x.end() && !i->is_null()) {
    auto expires = field<int64_t>(x, "expires_ns");
    if (!expires)
      return expires.error();
    rec.expires = clock::wall_time{clock::duration{*expires}};
  }
  if (auto i = x.find("on_failure"); i != x.end() && !i->is_null()) {
    auto retries = field<uint32_t>(*i, "max_retries");
    auto delay = field<int64_t>(*i, "retry_delay_ns");
    auto max_delay = field<int64_t>(*i, "max_retry_delay_ns");
    auto then = field<std::string>(*i, "then");
    if (!retries)
      return retries.error();
    if (!delay)
      return delay.error();
    if (!max_delay)
      return max_delay.error();
    if (!then)
      return then.error();
    auto action = exhausted_action_from_string(*then);
    if (!action)
      return action.error();
    rec.on_failure = failure_policy{*retries, clock::duration{*delay},
                                    clock::duration{*max_delay}, *action};
  }
  return rec;
}

} // namespace horae::admin
