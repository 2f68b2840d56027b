// Facet lifecycle hooks, interception order and typed lookup.
#include <caf/scoped_actor.hpp>

#include <horae/core/runtime.hpp>

#include "core/support/manual_runtime.hpp"
#include "core/support/probe_facet.hpp"
#include <gtest/gtest.h>

using namespace horae;
using horae::test::high_probe;
using horae::test::journal;
using horae::test::low_probe;
using horae::test::manual_runtime;

namespace {

std::vector<std::string> only(const journal& log, const std::string& hook) {
  std::vector<std::string> result;
  for (const auto& e : log.entries)
    if (e.size() > hook.size() + 1
        && e.compare(e.size() - hook.size() - 1, hook.size() + 1, ":" + hook)
             == 0)
      result.push_back(e);
  return result;
}

} // namespace

// Hooks and interceptors run highest priority first; after_message reverses.
TEST(Facet, HooksRunInPriorityOrder) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto handled = std::make_shared<int>(0);
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<low_probe>(log, "low", 1);
    self->attach<high_probe>(log, "high", 10);
    return {[=](int32_t) { ++*handled; }};
  });
  caf::anon_send(a, int32_t{7});
  rt->run_until_idle();
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  rt->run_until_idle();
  EXPECT_EQ(*handled, 1);
  EXPECT_EQ(only(*log, "activate"),
            (std::vector<std::string>{"high:activate", "low:activate"}));
  EXPECT_EQ(only(*log, "before"),
            (std::vector<std::string>{"high:before", "low:before"}));
  EXPECT_EQ(only(*log, "after"),
            (std::vector<std::string>{"low:after", "high:after"}));
  EXPECT_EQ(only(*log, "deactivate"),
            (std::vector<std::string>{"high:deactivate", "low:deactivate"}));
  EXPECT_EQ(only(*log, "detach"),
            (std::vector<std::string>{"low:detach", "high:detach"}));
}

// An interceptor that drops a message keeps it from the behaviour and from
// lower-priority facets.
TEST(Facet, InterceptorCanDropMessage) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto seen = std::make_shared<std::vector<int32_t>>();
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<high_probe>(log, "high", 10, 13);
    self->attach<low_probe>(log, "low", 1);
    return {[=](int32_t x) { seen->push_back(x); }};
  });
  caf::anon_send(a, int32_t{1});
  caf::anon_send(a, int32_t{13});
  caf::anon_send(a, int32_t{2});
  rt->run_until_idle();
  EXPECT_EQ(*seen, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(only(*log, "before").size(), 5u); // high x3, low x2
  EXPECT_EQ(only(*log, "after").size(), 4u);
}

// Using a facet that was never attached raises missing_facet with a message
// that names the facet type and says how to attach it.
TEST(Facet, UnattachedFacetIsAClearError) {
  auto rt = manual_runtime();
  auto message = std::make_shared<std::string>();
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    return {[=](int32_t) {
      try {
        self->facet<high_probe>();
      } catch (const missing_facet& ex) {
        *message = ex.what();
      }
    }};
  });
  caf::anon_send(a, int32_t{1});
  rt->run_until_idle();
  EXPECT_NE(message->find("has no facet of type"), std::string::npos)
    << *message;
  EXPECT_NE(message->find("high_probe"), std::string::npos) << *message;
  EXPECT_NE(message->find("attach"), std::string::npos) << *message;
}

// find_facet returns nullptr for a missing facet and the facet otherwise.
TEST(Facet, TypedLookupFindsOnlyAttachedType) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto found = std::make_shared<std::pair<bool, bool>>();
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<high_probe>(log, "high", 10);
    found->first = self->find_facet<high_probe>() != nullptr;
    found->second = self->find_facet<low_probe>() != nullptr;
    return {[](int32_t) {}};
  });
  caf::anon_send(a, int32_t{1});
  rt->run_until_idle();
  EXPECT_TRUE(found->first);
  EXPECT_FALSE(found->second);
}

// Attaching the same facet type twice is a programming error.
TEST(Facet, DuplicateAttachThrows) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto threw = std::make_shared<bool>(false);
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<high_probe>(log, "high", 10);
    try {
      self->attach<high_probe>(log, "again", 10);
    } catch (const std::logic_error&) {
      *threw = true;
    }
    return {[](int32_t) {}};
  });
  caf::anon_send(a, int32_t{1});
  rt->run_until_idle();
  EXPECT_TRUE(*threw);
}

// Detaching runs deactivate and detach hooks and stops interception.
TEST(Facet, DetachStopsInterception) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<high_probe>(log, "high", 10);
    return {[=](int32_t x) {
      if (x == 0)
        self->detach<high_probe>();
    }};
  });
  caf::anon_send(a, int32_t{0});
  rt->run_until_idle();
  auto before_count = only(*log, "before").size();
  caf::anon_send(a, int32_t{1});
  rt->run_until_idle();
  EXPECT_EQ(only(*log, "before").size(), before_count);
  EXPECT_EQ(only(*log, "detach"), (std::vector<std::string>{"high:detach"}));
}

namespace {

/// Detaches itself from its first `before_message`, like a one-shot guard.
class self_detaching : public facet {
public:
  explicit self_detaching(std::shared_ptr<journal> log) : log_(std::move(log)) {
    // nop
  }

  std::string_view name() const noexcept override {
    return "self-detaching";
  }

  intercept before_message(actor& self,
                           const caf::type_erased_tuple&) override {
    log_->add("once", "before");
    self.detach<self_detaching>();
    return intercept::proceed();
  }

  void after_message(actor&, const caf::type_erased_tuple&,
                     message_outcome) override {
    log_->add("once", "after");
  }

private:
  std::shared_ptr<journal> log_;
};

} // namespace

// A facet that detaches itself from `before_message` gets no
// `after_message`; a facet after it in the list still sees the message.
TEST(Facet, DetachInBeforeMessageSkipsAfterMessage) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto handled = std::make_shared<int>(0);
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<high_probe>(log, "high", 10);
    self->attach<self_detaching>(log);
    return {[=](int32_t) { ++*handled; }};
  });
  caf::anon_send(a, int32_t{1});
  rt->run_until_idle();
  EXPECT_EQ(*handled, 1);
  EXPECT_EQ(log->entries, (std::vector<std::string>{
                            "high:attach", "high:activate", "high:before",
                            "once:before", "high:after"}));
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  rt->run_until_idle();
}
