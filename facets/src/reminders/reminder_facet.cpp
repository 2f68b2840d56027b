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
#include <horae/journaling/cron_schedule.hpp>

#include "reminders/reminder_arguments.hpp"
#include "reminders/reminder_messages.hpp"
#include <spdlog/spdlog.h>

namespace horae {

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
  // Checked before the sum is formed, so a huge delay cannot overflow it.
  if (auto err
      = detail::validate(name, due_in, period, options, service_->config()))
    return err;
  return upsert_anchored(name, self_->clock().wall_now() + due_in, period,
                         std::move(options), std::move(done));
}

caf::error reminder_facet::upsert_at(const std::string& name,
                                     clock::wall_time at,
                                     clock::duration period,
                                     reminder_options options,
                                     completion done) {
  if (auto err = check_ready())
    return err;
  if (at > latest_reminder_time)
    return make_error(errc::out_of_range,
                      "reminder '" + quote_for_message(name)
                        + "': due after the latest time a reminder may have "
                          "(1 January 2200)");
  if (at.time_since_epoch() < clock::duration::zero())
    return make_error(errc::out_of_range, "reminder '" + quote_for_message(name)
                                            + "': due before 1970");
  auto now = self_->clock().wall_now();
  // A past time is due at once; the other checks see the delay from now.
  auto due_in = at > now ? at - now : clock::duration::zero();
  if (auto err
      = detail::validate(name, due_in, period, options, service_->config()))
    return err;
  return upsert_anchored(name, at, period, std::move(options), std::move(done));
}

caf::error reminder_facet::upsert_cron(const std::string& name,
                                       const std::string& expression,
                                       const std::string& time_zone,
                                       reminder_options options,
                                       completion done) {
  if (auto err = check_ready())
    return err;
  if (auto err = check_name("reminder name", name))
    return err;
  auto named = [&](const caf::error& err) {
    return make_error(code_of(err), "reminder '" + quote_for_message(name)
                                      + "': " + describe(err));
  };
  auto schedule = cron_schedule::parse(expression, time_zone);
  if (!schedule)
    return named(schedule.error());
  auto now = self_->clock().wall_now();
  auto first = schedule->next_after(now);
  if (!first)
    return named(first.error());
  if (auto err = detail::validate(name, *first - now, clock::duration::zero(),
                                  options, service_->config()))
    return err;
  return upsert_anchored(name, *first, clock::duration::zero(),
                         std::move(options), std::move(done), &*schedule);
}

caf::error reminder_facet::upsert_anchored(
  const std::string& name, clock::wall_time anchor, clock::duration period,
  reminder_options options, completion done, const cron_schedule* cron) {
  const auto& id = *self_->identity();
  auto now = self_->clock().wall_now();
  reminder_record rec;
  rec.key = reminder_key{id.type, id.key, name};
  rec.payload = std::move(options.payload);
  rec.anchor = anchor;
  rec.due = rec.anchor;
  rec.period = period;
  auto one_shot = period == clock::duration::zero() && cron == nullptr;
  rec.max_fires = one_shot ? 1 : options.max_fires;
  if (cron != nullptr) {
    rec.cron = cron->expression();
    rec.time_zone = cron->time_zone();
  }
  if (options.ttl)
    rec.expires = now + *options.ttl;
  rec.policy = options.policy;
  rec.on_failure = options.on_failure;
  service_->upsert(std::move(rec), options.overwrite, route(std::move(done)));
  return caf::none;
}

caf::error reminder_facet::remove(const std::string& name, completion done) {
  if (auto err = check_ready())
    return err;
  if (auto err = check_name("reminder name", name))
    return err;
  const auto& id = *self_->identity();
  reminder_key key{id.type, id.key, name};
  service_->remove(key, route(std::move(done)));
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
