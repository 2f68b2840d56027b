// The blocking write wrappers and the window read from the start, implemented
// once on top of the primitives so that every store implementation gets them
// for free.
#include <future>

#include <horae/journaling/reminder_store.hpp>

namespace horae {

reminder_store::~reminder_store() {
  // nop
}

caf::expected<reminder_record> reminder_store::upsert(reminder_record rec,
                                                      bool overwrite) {
  std::promise<caf::expected<reminder_record>> result;
  auto f = result.get_future();
  upsert_async(std::move(rec), overwrite,
               [&result](caf::expected<reminder_record> x) {
                 result.set_value(std::move(x));
               });
  return f.get();
}

caf::error reminder_store::remove(reminder_key key) {
  std::promise<caf::error> result;
  auto f = result.get_future();
  remove_async(std::move(key),
               [&result](caf::error x) { result.set_value(std::move(x)); });
  return f.get();
}

caf::expected<bool> reminder_store::record_fire(
  reminder_key key, uint64_t revision, uint64_t new_fire_count,
  std::optional<clock::wall_time> next_due, fire_outcome outcome) {
  std::promise<caf::expected<bool>> result;
  auto f = result.get_future();
  record_fire_async(
    std::move(key), revision, new_fire_count, next_due, outcome,
    [&result](caf::expected<bool> x) { result.set_value(std::move(x)); });
  return f.get();
}

caf::expected<std::vector<reminder_record>>
reminder_store::due_before(clock::wall_time limit, size_t max_rows) {
  return due_after(due_position::start(), limit, max_rows);
}

} // namespace horae
