// A position in the order in which the delivery path reads reminders: by due
// time, ties by revision. A reader that remembers the last position it
// loaded can ask the store for what comes after it instead of re-reading the
// window.
#pragma once

#include <cstdint>
#include <tuple>

#include <horae/core/clock.hpp>
#include <horae/journaling/reminder_record.hpp>

namespace horae {

/// A point in the (due, revision) order of stored reminders. Revisions are
/// unique within a store, so the order is total; it is also cheap to index
/// (two integers) and stable while a reminder fires, since recording a fire
/// changes the due time but not the revision.
struct due_position {
  clock::wall_time due;
  uint64_t revision = 0;

  /// @returns the position of `rec`.
  static due_position of(const reminder_record& rec) {
    return due_position{rec.due, rec.revision};
  }

  /// @returns the position before every reminder due at `t` or later and
  ///          after every reminder due earlier. Stores hand out revisions
  ///          from 1, so revision 0 sorts before all of them.
  static due_position before(clock::wall_time t) {
    return due_position{t, 0};
  }

  /// @returns the position before every reminder.
  static due_position start() {
    return before(clock::wall_time::min());
  }
};

/// @relates due_position
inline bool operator<(const due_position& x, const due_position& y) {
  return std::tie(x.due, x.revision) < std::tie(y.due, y.revision);
}

/// @relates due_position
inline bool operator==(const due_position& x, const due_position& y) {
  return x.due == y.due && x.revision == y.revision;
}

} // namespace horae
