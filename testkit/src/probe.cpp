// Recording fires and checking them against expectations.
#include <algorithm>
#include <sstream>

#include <horae/core/actor.hpp>
#include <horae/core/config/duration_text.hpp>
#include <horae/facets/reminder_facet.hpp>
#include <horae/facets/timer_facet.hpp>
#include <horae/testkit/probe.hpp>
#include <horae/testkit/run_in_actor.hpp>

namespace horae::testkit {

namespace {

/// Times relative to the first fire's due time are what people compare.
std::string describe(const std::vector<received_fire>& fires) {
  if (fires.empty())
    return "none";
  std::ostringstream out;
  auto origin = fires.front().due;
  for (size_t i = 0; i < fires.size(); ++i) {
    const auto& f = fires[i];
    out << (i > 0 ? "; " : "") << "#" << f.seq << " due +"
        << describe_duration(f.due - origin) << ", received +"
        << describe_duration(f.received - origin);
  }
  return out.str();
}

} // namespace

std::shared_ptr<probe> probe::make() {
  return std::make_shared<probe>();
}

actor_factory probe::recorder(bool reminders,
                              const std::function<void(actor&)>& setup) {
  auto self_ptr = shared_from_this();
  return [self_ptr, reminders, setup](actor* self) -> caf::behavior {
    self->attach<timer_facet>();
    if (reminders)
      self->attach<reminder_facet>();
    self->attach<runner_facet>();
    if (setup)
      setup(*self);
    return {
      [self_ptr, self](const timer_fired& x) { self_ptr->record(*self, x); },
      [self_ptr, self](const reminder_fired& x) { self_ptr->record(*self, x); },
    };
  };
}

void probe::record(actor& self, const timer_fired& x) {
  received_fire f{
    received_fire::kind::timer, x.name, self.display_name(), x.scheduled,
    self.clock().now(),         x.seq,  x.coalesced,         1};
  std::lock_guard<std::mutex> guard{mtx_};
  fires_.push_back(std::move(f));
}

void probe::record(actor& self, const reminder_fired& x) {
  received_fire f{received_fire::kind::reminder,
                  x.name,
                  self.display_name(),
                  self.clock().to_monotonic(x.scheduled),
                  self.clock().now(),
                  x.count,
                  x.missed,
                  x.attempt};
  std::lock_guard<std::mutex> guard{mtx_};
  fires_.push_back(std::move(f));
}

std::vector<received_fire> probe::fires() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return fires_;
}

std::vector<received_fire> probe::fires_of(const std::string& name) const {
  std::vector<received_fire> result;
  std::lock_guard<std::mutex> guard{mtx_};
  std::copy_if(fires_.begin(), fires_.end(), std::back_inserter(result),
               [&](const received_fire& f) { return f.name == name; });
  return result;
}

size_t probe::count(const std::string& name) const {
  return fires_of(name).size();
}

check probe::fired_once_at(const std::string& name,
                           clock::time_point at) const {
  auto xs = fires_of(name);
  if (xs.size() == 1 && xs.front().received == at)
    return check::pass();
  std::ostringstream why;
  why << "expected '" << name << "' to fire once, at its due time "
      << (xs.empty() ? std::string{"?"}
                     : "+" + describe_duration(at - xs.front().due))
      << "; fires: " << describe(xs);
  if (xs.size() == 1)
    why << " (received " << describe_duration(xs.front().received - at)
        << " from the expected time)";
  return check::fail(why.str());
}

check probe::never_before(const std::string& name,
                          clock::time_point not_before) const {
  for (const auto& f : fires_of(name)) {
    if (f.received < f.due)
      return check::fail("'" + name + "' fire #" + std::to_string(f.seq)
                         + " arrived " + describe_duration(f.due - f.received)
                         + " before it was due");
    if (f.received < not_before)
      return check::fail("'" + name + "' fire #" + std::to_string(f.seq)
                         + " arrived "
                         + describe_duration(not_before - f.received)
                         + " before the earliest allowed time");
  }
  return check::pass();
}

check probe::silent(const std::string& name) const {
  auto xs = fires_of(name);
  if (xs.empty())
    return check::pass();
  return check::fail("'" + name + "' fired " + std::to_string(xs.size())
                     + " time(s): " + describe(xs));
}

} // namespace horae::testkit
