// Argument checks, scoping and acknowledgement of reminders inside an actor.
#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/logging.hpp>
#include <horae/core/names.hpp>
#include <horae/core/runtime.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/reminder_service.hpp>

#include "reminders/reminder_messages.hpp"
#include <spdlog/spdlog.h>

namespace horae {

namespace {

// Far enough for any schedule, near enough that wall time plus it cannot
// overflow 64-bit nanoseconds (about 292 years).
constexpr clock::duration max_span = std::chrono::hours{24 * 365 * 100};

caf::error bad(errc code, const std::string& name, const std::string& what) {
  return make_error(code,
                    "reminder '" + quote_for_message(name) + "': " + what);
}

} // namespace

// -- reminder management ------------------------------------------------------

caf::error reminder_facet::check_ready() const {
  if (self_ == nullptr)
    return make_error(errc::facet_not_attached,
                      "reminder_facet is not attached to an actor");
  if (service_ == nullptr)
    return make_error(errc::not_found,
                      "this runtime has no reminder service; add "
                      "horae::reminders_module() to the config loader");
  if (!self_->identity())
    return make_error(errc::invalid_argument,
                      self_->display_name()
                        + ": reminders need a virtual actor (define its type "
                          "with runtime::define and reach it through "
                          "runtime::ref), because a due reminder must be "
                          "able to activate it");
  return caf::none;
}

std::function<void(caf::error)> reminder_facet::route(completion done) {
  if (!done)
    return [name = self_->display_name()](const caf::error& err) {
      if (err)
        logging::logger("reminders")
          ->error("{}: reminder write failed: {}", name, describe(err));
    };
  auto me = caf::actor_cast<caf::actor>(self_);
  return [me, done = std::move(done)](caf::error err) {
    caf::anon_send(me, detail::reminder_callback{
                         [done, err]() mutable { done(std::move(err)); }});
  };
}

caf::error reminder_facet::upsert(const std::string& name,
                                  clock::duration due_in,
                                  clock::duration period,
                                  reminder_options options, completion done) {
  if (auto err = check_ready())
    return err;
  const auto& cfg = service_->config();
  if (auto err = check_name("reminder name", name))
    return err;
  if (due_in < clock::duration::zero())
    return bad(errc::invalid_argument, name,
               "negative due time " + format_duration(due_in));
  if (due_in > max_span)
    return bad(errc::out_of_range, name,
               "due time " + format_duration(due_in)
                 + " is more than 100 years away");
  if (period < clock::duration::zero())
    return bad(errc::invalid_argument, name,
               "negative period " + format_duration(period));
  if (period > max_span)
    return bad(errc::out_of_range, name,
               "period " + format_duration(period) + " exceeds 100 years");
  if (period > clock::duration::zero() && period < cfg.min_period)
    return bad(errc::out_of_range, name,
               "period " + format_duration(period) + " is below the minimum of "
                 + format_duration(cfg.min_period)
                 + " (horae.reminders.min-period)");
  if (options.ttl && *options.ttl <= clock::duration::zero())
    return bad(errc::invalid_argument, name, "TTL must be positive");
  if (options.ttl && *options.ttl > max_span)
    return bad(errc::out_of_range, name, "TTL exceeds 100 years");
  if (options.ttl && *options.ttl <= due_in)
    return bad(errc::invalid_argument, name,
               "TTL " + format_duration(*options.ttl)
                 + " ends before the first fire, due in "
                 + format_duration(due_in));
  if (options.payload.size() > cfg.max_payload_bytes)
    return bad(errc::invalid_argument, name,
               "payload of " + std::to_string(options.payload.size())
                 + " bytes exceeds horae.reminders.max-payload-bytes = "
                 + std::to_string(cfg.max_payload_bytes));
  if (!is_valid(options.policy))
    return bad(errc::invalid_argument, name, "unknown missed-tick policy");
  if (options.on_failure)
    if (auto err = validate(*options.on_failure))
      return bad(code_of(err), name, describe(err));
  const auto& id = *self_->identity();
  auto now = self_->clock().wall_now();
  reminder_record rec;
  rec.key = reminder_key{id.type, id.key, name};
  rec.payload = std::move(options.payload);
  rec.anchor = now + due_in;
  rec.due = rec.anchor;
  rec.period = period;
  rec.max_fires = period == clock::duration::zero() ? 1 : options.max_fires;
  if (options.ttl)
    rec.expires = now + *options.ttl;
  rec.policy = options.policy;
  rec.on_failure = options.on_failure;
  auto dispatcher = service_->dispatcher();
  auto reply = route(std::move(done));
  service_->upsert(
    std::move(rec), options.overwrite,
    [dispatcher, reply](caf::expected<reminder_record> stored) {
      if (!stored) {
        reply(stored.error());
        return;
      }
      caf::anon_send(dispatcher, detail::reminder_changed{std::move(*stored)});
      reply(caf::error{});
    });
  return caf::none;
}

caf::error reminder_facet::remove(const std::string& name, completion done) {
  if (auto err = check_ready())
    return err;
  if (auto err = check_name("reminder name", name))
    return err;
  const auto& id = *self_->identity();
  reminder_key key{id.type, id.key, name};
  auto dispatcher = service_->dispatcher();
  auto reply = route(std::move(done));
  service_->remove(key, [dispatcher, key, reply](caf::error err) {
    if (!err)
      caf::anon_send(dispatcher, detail::reminder_removed{key});
    reply(std::move(err));
  });
  return caf::none;
}

caf::expected<std::optional<reminder_record>>
reminder_facet::get(const std::string& name) const {
  if (auto err = check_ready())
    return err;
  if (auto err = check_name("reminder name", name))
    return err;
  const auto& id = *self_->identity();
  return service_->store().get(reminder_key{id.type, id.key, name});
}

caf::expected<std::vector<reminder_record>> reminder_facet::list() const {
  if (auto err = check_ready())
    return err;
  const auto& id = *self_->identity();
  return service_->store().list(id.type, id.key);
}

// -- facet interface ----------------------------------------------------------

std::string_view reminder_facet::name() const noexcept {
  return facet_name;
}

int reminder_facet::priority() const noexcept {
  return 900;
}

void reminder_facet::on_attach(actor& self) {
  self_ = &self;
  service_ = self.runtime().find_service<reminder_service>();
}

void reminder_facet::on_detach(actor&) {
  self_ = nullptr;
}

message_filter reminder_facet::intercepts() const {
  return message_filter::only<detail::reminder_delivery,
                              detail::reminder_callback>();
}

intercept
reminder_facet::before_message(actor& self,
                               const caf::type_erased_tuple& content) {
  if (content.size() != 1)
    return intercept::proceed();
  if (content.match_element<detail::reminder_callback>(0)) {
    content.get_as<detail::reminder_callback>(0).fn();
    return intercept::drop().passive();
  }
  if (!content.match_element<detail::reminder_delivery>(0))
    return intercept::proceed();
  const auto& delivery = content.get_as<detail::reminder_delivery>(0);
  const auto& id = self.identity();
  if (!id || id->type != delivery.key.actor_type
      || id->key != delivery.key.actor_key) {
    // Never hand an actor someone else's reminder.
    logging::logger("reminders")
      ->error("{}: dropped reminder {} addressed to another actor",
              self.display_name(), to_string(delivery.key));
    return intercept::drop();
  }
  if (std::find(recently_handled_.begin(), recently_handled_.end(),
                delivery.fire_id)
      != recently_handled_.end()) {
    // A second copy of a fire this activation already handled (the first
    // spent longer than the ack-timeout in the mailbox): its outcome is
    // already reported, so the behaviour must not see it twice.
    return intercept::drop().passive();
  }
  // From here on the dispatcher waits for the outcome, however long the
  // handler takes, and watches this activation instead of the clock.
  caf::anon_send(
    delivery.dispatcher,
    detail::reminder_received{delivery.key, delivery.fire_id, self.address()});
  pending_ack_
    = pending_ack{delivery.dispatcher, delivery.key, delivery.fire_id};
  return intercept::replace(caf::make_message(delivery.fired));
}

void reminder_facet::after_message(actor&, const caf::type_erased_tuple&,
                                   message_outcome outcome) {
  if (!pending_ack_)
    return;
  auto ack = std::move(*pending_ack_);
  pending_ack_.reset();
  // A skipped fire stays in the mailbox and passes this facet again once
  // the behaviour changes; only then is there an outcome to report.
  if (outcome == message_outcome::skipped)
    return;
  if (outcome == message_outcome::handled) {
    recently_handled_[next_handled_slot_] = ack.fire_id;
    next_handled_slot_ = (next_handled_slot_ + 1) % recently_handled_.size();
  }
  caf::anon_send(ack.dispatcher, detail::reminder_ack{std::move(ack.key),
                                                      ack.fire_id, outcome});
}

} // namespace horae
