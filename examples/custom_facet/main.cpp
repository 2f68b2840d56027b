// Writing a facet: an idempotency guard. Clients retry commands after a
// timeout, so the same command can arrive twice; the `dedup_facet` remembers
// the ids of the last N commands it let through and drops repeats before the
// behaviour sees them. The behaviour stays free of bookkeeping, and any
// actor type gets the guard by attaching the facet.
#include <cstdint>
#include <deque>
#include <iostream>
#include <string>
#include <unordered_set>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/scoped_actor.hpp>

#include <horae/core/facet.hpp>
#include <horae/core/runtime.hpp>

namespace {

/// A client's request to move money; `id` is unique per request and is
/// kept when the client retries it.
struct deposit {
  uint64_t id;
  int64_t cents;
};

struct balance_request {};

/// Drops every `deposit` whose id is among the last `capacity` ids seen.
class dedup_facet : public horae::facet {
public:
  explicit dedup_facet(size_t capacity) : capacity_(capacity) {
    // nop
  }

  std::string_view name() const noexcept override {
    return "dedup";
  }

  // Only deposits: every other message skips this facet entirely.
  horae::message_filter intercepts() const override {
    return horae::message_filter::only<deposit>();
  }

  horae::intercept
  before_message(horae::actor& self,
                 const caf::type_erased_tuple& content) override {
    auto id = content.get_as<deposit>(0).id;
    if (seen_.count(id) > 0) {
      ++dropped_;
      std::cout << self.display_name()
                << ": dropped duplicate deposit id=" << id << std::endl;
      return horae::intercept::drop();
    }
    seen_.insert(id);
    order_.push_back(id);
    if (order_.size() > capacity_) { // forget the oldest: bounded memory
      seen_.erase(order_.front());
      order_.pop_front();
    }
    return horae::intercept::proceed();
  }

  uint64_t dropped() const noexcept {
    return dropped_;
  }

private:
  size_t capacity_;
  std::unordered_set<uint64_t> seen_;
  std::deque<uint64_t> order_;
  uint64_t dropped_ = 0;
};

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(deposit)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(balance_request)

int main() {
  auto rt = horae::runtime::make(horae::config{});
  if (!rt) {
    std::cerr << horae::describe(rt.error()) << '\n';
    return 1;
  }
  auto& runtime = **rt;
  auto err = runtime.define("account", [](horae::actor* self) -> caf::behavior {
    auto& guard = self->attach<dedup_facet>(1024);
    auto balance = std::make_shared<int64_t>(0);
    return {
      [self, balance](const deposit& x) {
        *balance += x.cents;
        std::cout << self->display_name() << ": applied deposit id=" << x.id
                  << " cents=" << x.cents << std::endl;
      },
      [balance, &guard](balance_request) {
        return std::to_string(*balance) + " cents, "
               + std::to_string(guard.dropped()) + " duplicates dropped";
      },
    };
  });
  if (err) {
    std::cerr << horae::describe(err) << '\n';
    return 1;
  }
  auto account = runtime.ref("account", "alice");
  if (!account) {
    std::cerr << horae::describe(account.error()) << '\n';
    return 1;
  }
  // Deposits 2 and 1 are retried by an impatient client.
  for (auto [id, cents] : {std::pair<uint64_t, int64_t>{1, 500},
                           {2, 250},
                           {2, 250},
                           {3, 100},
                           {1, 500}})
    account->send(deposit{id, cents});
  caf::scoped_actor client{runtime.system()};
  account->send_as(client, balance_request{});
  auto ok = false;
  client->receive(
    [&](const std::string& summary) {
      std::cout << "account/alice: " << summary << std::endl;
      ok = true;
    },
    caf::after(std::chrono::seconds{10}) >>
      [] { std::cerr << "no answer from account/alice\n"; });
  return ok ? 0 : 1;
}
