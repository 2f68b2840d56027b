// The identity of a reminder: which virtual actor owns it and its name.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <tuple>

namespace horae {

/// Identifies a reminder. A reminder belongs to a virtual actor (type and
/// key), so it survives the actor's deactivation and a process restart.
struct reminder_key {
  /// The actor type, e.g. "account". Must not be empty.
  std::string actor_type;

  /// The actor's key within its type, e.g. "42". May be empty for an actor
  /// type with a single instance.
  std::string actor_key;

  /// The reminder's name, unique per actor. Must not be empty.
  std::string name;
};

/// @relates reminder_key
inline bool operator==(const reminder_key& x, const reminder_key& y) {
  return x.actor_type == y.actor_type && x.actor_key == y.actor_key
         && x.name == y.name;
}

/// @relates reminder_key
inline bool operator!=(const reminder_key& x, const reminder_key& y) {
  return !(x == y);
}

/// Orders by actor type, actor key, then name: the order of `list_all`.
/// @relates reminder_key
inline bool operator<(const reminder_key& x, const reminder_key& y) {
  return std::tie(x.actor_type, x.actor_key, x.name)
         < std::tie(y.actor_type, y.actor_key, y.name);
}

/// Renders as "type/key/name" for log lines and error messages.
/// @relates reminder_key
std::string to_string(const reminder_key& x);

} // namespace horae

namespace std {

/// Hashes the three parts, so reminder keys can index unordered containers.
template <>
struct hash<horae::reminder_key> {
  size_t operator()(const horae::reminder_key& x) const noexcept {
    std::hash<std::string> h;
    // Mixing constant from the 64-bit golden ratio; the separator-free
    // concatenation would make ("ab", "c") and ("a", "bc") collide.
    size_t result = h(x.actor_type);
    result
      ^= h(x.actor_key) + 0x9e3779b97f4a7c15ULL + (result << 6) + (result >> 2);
    result ^= h(x.name) + 0x9e3779b97f4a7c15ULL + (result << 6) + (result >> 2);
    return result;
  }
};

} // namespace std
