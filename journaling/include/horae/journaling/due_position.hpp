// A position in the order in which the delivery path reads reminders: by due
// time, ties by key. A reader that remembers the last position it loaded can
// ask the store for what comes after it instead of re-reading the window.
#pragma once

#include <tuple>

#include <horae/core/clock.hpp>
#include <horae/journaling/reminder_key.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae {

/// A point in the (due, key) order of stored reminders.
struct due_position {
  clock::wall_time due;
  reminder_key key;

  /// @returns the position of `rec`.
  static due_position of(const reminder_record& rec) {
    return due_position{rec.due, rec.key};
  }

  /// @returns the position before every reminder due at `t` or later and
  ///          after every reminder due earlier. A stored key never has an
  ///          empty actor type, so the empty key sorts before all of them.
  static due_position before(clock::wall_time t) {
    return due_position{t, reminder_key{}};
  }

  /// @returns the position before every reminder.
  static due_position start() {
    return before(clock::wall_time::min());
  }
};

/// @relates due_position
inline bool operator<(const due_position& x, const due_position& y) {
  return std::tie(x.due, x.key) < std::tie(y.due, y.key);
}

/// @relates due_position
inline bool operator==(const due_position& x, const due_position& y) {
  return x.due == y.due && x.key == y.key;
}

} // namespace horae
