// Building queued writes: every store checks its input the same way before
// anything is queued.
#include "batching/write_request.hpp"

namespace horae::detail {

write_request write_request::upsert(reminder_record rec, bool overwrite,
                                    reminder_store::upsert_completion done) {
  write_request req;
  req.type = kind::upsert;
  req.err = validate(rec);
  req.invalid = static_cast<bool>(req.err);
  req.rec = std::move(rec);
  req.overwrite = overwrite;
  req.on_upsert = std::move(done);
  return req;
}

write_request write_request::remove(reminder_key key,
                                    reminder_store::completion done) {
  write_request req;
  req.type = kind::remove;
  req.err = validate(key);
  req.invalid = static_cast<bool>(req.err);
  req.rec.key = std::move(key);
  req.on_remove = std::move(done);
  return req;
}

write_request write_request::fire(reminder_key key, uint64_t revision,
                                  uint64_t new_fire_count,
                                  std::optional<clock::wall_time> next_due,
                                  reminder_store::fire_outcome outcome,
                                  reminder_store::fire_completion done) {
  write_request req;
  req.type = kind::fire;
  req.err = validate(key);
  req.invalid = static_cast<bool>(req.err);
  req.rec.key = std::move(key);
  req.revision = revision;
  req.fire_count = new_fire_count;
  req.next_due = next_due;
  req.failed = outcome == reminder_store::fire_outcome::failed;
  req.on_fire = std::move(done);
  return req;
}

} // namespace horae::detail
