// Routing, retrying and accepting forwarded messages. A delivery is looked
// up afresh on every attempt, so a retry after `moved` or a lost peer goes
// wherever the ownership view points by then.
#include "transport/router_actor.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/node_id.hpp>
#include <caf/result.hpp>

#include <horae/cluster/partition.hpp>
#include <horae/core/error.hpp>
#include <horae/core/runtime.hpp>

#include "transport/router_atoms.hpp"

namespace horae::cluster::detail {

namespace {

using clock_type = std::chrono::steady_clock;

/// The longest pause between two attempts of one delivery.
constexpr caf::timespan max_retry_delay = std::chrono::seconds{1};

std::string endpoint_of(const node_address& addr) {
  return "node '" + addr.node_id + "' at " + addr.host + ":"
         + std::to_string(addr.port);
}

void finish(router_actor* self, uint64_t id, const caf::error& err) {
  auto& pending = self->state.pending;
  auto i = pending.find(id);
  if (i == pending.end())
    return;
  auto d = std::move(i->second);
  pending.erase(i);
  d->finish(err);
}

/// Schedules the next attempt after a pause that doubles per attempt.
void retry_later(router_actor* self, uint64_t id, caf::error cause) {
  auto i = self->state.pending.find(id);
  if (i == self->state.pending.end())
    return;
  auto& d = *i->second;
  d.last_cause = std::move(cause);
  auto delay = self->state.options.retry_delay;
  for (uint32_t n = 1; n < d.attempts && delay < max_retry_delay; ++n)
    delay *= 2;
  delay = std::min(delay, max_retry_delay);
  self->delayed_send(self, delay, retry_atom::value, id);
}

/// Sends delivery `id` to the connected router of `node_id`.
void forward(router_actor* self, uint64_t id, const std::string& node_id) {
  auto i = self->state.pending.find(id);
  auto target = self->state.peers.find(node_id);
  if (i == self->state.pending.end() || target == nullptr)
    return;
  auto& d = *i->second;
  // Only a message that left counts against `max_attempts`: waiting for an
  // owner or for a reachable one is bounded by the deadline alone, so a
  // delivery rides out a failover.
  ++d.attempts;
  target->in_flight.insert(id);
  auto where = endpoint_of(target->address);
  self
    ->request(target->handle, self->state.options.forward_timeout,
              forward_atom::value, d.type, d.key, d.partition, d.sender,
              d.content)
    .then(
      [=](caf::atom_value status, uint32_t partition) {
        if (auto p = self->state.peers.find(node_id))
          p->in_flight.erase(id);
        if (status == delivered_atom::value) {
          finish(self, id, caf::none);
          return;
        }
        retry_later(
          self, id,
          make_error(errc::not_found, where + " no longer holds partition "
                                        + std::to_string(partition)));
      },
      [=](caf::error& err) {
        if (auto p = self->state.peers.find(node_id))
          p->in_flight.erase(id);
        // The owner's own verdict (e.g. an undefined actor type) is final.
        if (code_of(err) != errc::none) {
          finish(self, id, err);
          return;
        }
        finish(self, id,
               make_error(errc::timeout,
                          where + " did not confirm the message ("
                            + describe(err)
                            + "); it may or may not have been delivered"));
      });
}

/// Connects to `addr` and then forwards every delivery waiting for it.
void connect(router_actor* self, const node_address& addr) {
  auto& entry = self->state.peers[addr.node_id];
  entry.connecting = true;
  entry.address = addr;
  auto mm = self->home_system().middleman().actor_handle();
  auto take_waiting = [self, node_id = addr.node_id] {
    auto& p = self->state.peers[node_id];
    p.connecting = false;
    return std::exchange(p.waiting, {});
  };
  self
    ->request(mm, self->state.options.connect_timeout, caf::connect_atom::value,
              addr.host, addr.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>&) {
        auto waiting = take_waiting();
        if (ptr == nullptr) {
          for (auto id : waiting)
            retry_later(self, id,
                        make_error(errc::not_found, "no router is published at "
                                                      + endpoint_of(addr)));
          return;
        }
        auto& p = self->state.peers[addr.node_id];
        p.handle = caf::actor_cast<caf::actor>(std::move(ptr));
        self->monitor(p.handle);
        for (auto id : waiting)
          forward(self, id, addr.node_id);
      },
      [=](caf::error& err) {
        for (auto id : take_waiting())
          retry_later(self, id,
                      make_error(errc::not_found, "cannot reach "
                                                    + endpoint_of(addr) + ": "
                                                    + describe(err)));
      });
}

void attempt(router_actor* self, uint64_t id) {
  auto& st = self->state;
  auto i = st.pending.find(id);
  if (i == st.pending.end())
    return;
  auto& d = *i->second;
  if (d.attempts >= st.options.max_attempts
      || clock_type::now() >= d.deadline) {
    finish(self, id,
           make_error(errc::timeout,
                      "no node accepted the message to " + d.type + "/" + d.key
                        + " (partition " + std::to_string(d.partition)
                        + ") within the delivery deadline, sent "
                        + std::to_string(d.attempts)
                        + " time(s); last cause: " + describe(d.last_cause)));
    return;
  }
  if (st.view->holds(d.partition)) {
    auto err
      = st.owner->registry().deliver_local(d.type, d.key, d.sender, d.content);
    // Given up since the view was read: look for its new owner.
    if (code_of(err) == errc::not_owner)
      retry_later(self, id, std::move(err));
    else
      finish(self, id, err);
    return;
  }
  auto owner = st.view->owner_of(d.partition);
  if (!owner || owner->node_id == st.options.node_id) {
    retry_later(
      self, id,
      make_error(errc::not_found, "partition " + std::to_string(d.partition)
                                    + " has no owner that accepts messages"));
    return;
  }
  if (owner->host.empty() || owner->port == 0) {
    retry_later(self, id,
                make_error(errc::invalid_argument,
                           "node '" + owner->node_id + "' has no endpoint"));
    return;
  }
  auto& p = st.peers[owner->node_id];
  if (p.handle && p.address == *owner) {
    forward(self, id, owner->node_id);
    return;
  }
  p.waiting.push_back(id);
  if (!p.connecting) {
    // A peer that moved to a new endpoint gets a new connection.
    if (p.handle)
      self->demonitor(p.handle);
    p.handle = nullptr;
    connect(self, *owner);
  }
}

/// A peer's router forwarded a message: accept it only for a partition
/// this node holds, so a stale sender learns to look again.
caf::result<caf::atom_value, uint32_t>
accept_forward(router_actor* self, const std::string& type,
               const std::string& key, uint32_t partition,
               caf::strong_actor_ptr& sender, caf::message& content) {
  auto& st = self->state;
  auto mine = partition_of(type, key, st.view->partitions());
  if (mine != partition)
    return make_error(errc::invalid_argument,
                      "the sender put " + type + "/" + key + " in partition "
                        + std::to_string(partition) + ", node '"
                        + st.options.node_id + "' in " + std::to_string(mine)
                        + ": do both nodes use the same partition count?");
  if (!st.view->holds(partition))
    return {moved_atom::value, partition};
  auto err = st.owner->registry().deliver_local(type, key, std::move(sender),
                                                std::move(content));
  if (code_of(err) == errc::not_owner) // given up a moment ago
    return {moved_atom::value, partition};
  if (err)
    return err;
  return {delivered_atom::value, partition};
}

} // namespace

caf::behavior router_behavior(router_actor* self, runtime* owner,
                              std::shared_ptr<const ownership_view> view,
                              transport_options options) {
  self->state.owner = owner;
  self->state.view = std::move(view);
  self->state.options = std::move(options);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto [node_id, in_flight] = self->state.peers.remove_by_handle(dm.source);
    for (auto id : in_flight)
      finish(self, id,
             make_error(errc::closed,
                        "the connection to node '" + node_id + "' was lost ("
                          + describe(dm.reason)
                          + ") before it confirmed the message; it may or "
                            "may not have been delivered"));
  });
  return {
    [self](deliver_atom, std::shared_ptr<delivery>& d) {
      auto id = self->state.next_id++;
      d->deadline = clock_type::now()
                    + std::chrono::duration_cast<clock_type::duration>(
                      self->state.options.delivery_deadline);
      self->state.pending.emplace(id, std::move(d));
      attempt(self, id);
    },
    [self](retry_atom, uint64_t id) { attempt(self, id); },
    [self](forward_atom, const std::string& type, const std::string& key,
           uint32_t partition, caf::strong_actor_ptr& sender,
           caf::message& content) {
      return accept_forward(self, type, key, partition, sender, content);
    },
  };
}

} // namespace horae::cluster::detail
