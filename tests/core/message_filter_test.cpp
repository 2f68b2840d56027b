// Facets that declare the message types they intercept: their hooks run for
// those types only, and a replaced message is filtered by its new type.
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include <horae/core/message_filter.hpp>
#include <horae/core/runtime.hpp>

#include "core/support/manual_runtime.hpp"
#include "core/support/probe_facet.hpp"
#include <gtest/gtest.h>

using namespace horae;
using horae::test::journal;
using horae::test::manual_runtime;

namespace {

struct ping {
  int32_t value;
};

struct pong {
  int32_t value;
};

} // namespace

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ping)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pong)

namespace {

/// Records its hooks; intercepts only what `Filter` lists and, if told to,
/// replaces an int32 with its decimal text.
template <class Filter>
class filtered_probe : public facet {
public:
  filtered_probe(std::shared_ptr<journal> log, std::string label, int prio,
                 bool int_to_text = false)
    : log_(std::move(log)), label_(std::move(label)), prio_(prio),
      int_to_text_(int_to_text) {
    // nop
  }

  std::string_view name() const noexcept override {
    return "filtered-probe";
  }

  int priority() const noexcept override {
    return prio_;
  }

  message_filter intercepts() const override {
    return Filter{}();
  }

  intercept before_message(actor&,
                           const caf::type_erased_tuple& content) override {
    log_->add(label_, "before");
    if (int_to_text_ && content.size() == 1
        && content.match_element<int32_t>(0))
      return intercept::replace(
        caf::make_message(std::to_string(content.get_as<int32_t>(0))));
    return intercept::proceed();
  }

  void after_message(actor&, const caf::type_erased_tuple&,
                     message_outcome) override {
    log_->add(label_, "after");
  }

private:
  std::shared_ptr<journal> log_;
  std::string label_;
  int prio_;
  bool int_to_text_;
};

struct pings_only {
  message_filter operator()() const {
    return message_filter::only<ping>();
  }
};

struct text_only {
  message_filter operator()() const {
    return message_filter::only<std::string>();
  }
};

struct ints_only {
  message_filter operator()() const {
    return message_filter::only<int32_t>();
  }
};

struct everything {
  message_filter operator()() const {
    return message_filter::every();
  }
};

} // namespace

// accepts(): builtin and user-defined types, and messages that are not a
// single value.
TEST(MessageFilter, AcceptsOnlyListedSingleValueTypes) {
  auto filter = message_filter::only<ping, std::string>();
  EXPECT_TRUE(filter.accepts(caf::make_rtti_pair<ping>()));
  EXPECT_TRUE(filter.accepts(caf::make_rtti_pair<std::string>()));
  EXPECT_FALSE(filter.accepts(caf::make_rtti_pair<pong>()));
  EXPECT_FALSE(filter.accepts(caf::make_rtti_pair<int32_t>()));
  EXPECT_FALSE(filter.accepts(message_filter::none()));
  EXPECT_TRUE(message_filter::every().accepts(message_filter::none()));
  EXPECT_TRUE(message_filter::every().accepts(caf::make_rtti_pair<pong>()));
}

// merge() builds the union an actor checks before calling any facet.
TEST(MessageFilter, MergeBuildsTheUnion) {
  auto any = message_filter::nothing();
  EXPECT_FALSE(any.accepts(caf::make_rtti_pair<ping>()));
  any.merge(message_filter::only<ping>());
  any.merge(message_filter::only<int32_t>());
  EXPECT_TRUE(any.accepts(caf::make_rtti_pair<ping>()));
  EXPECT_TRUE(any.accepts(caf::make_rtti_pair<int32_t>()));
  EXPECT_FALSE(any.accepts(caf::make_rtti_pair<pong>()));
  any.merge(message_filter::every());
  EXPECT_TRUE(any.accepts(caf::make_rtti_pair<pong>()));
  EXPECT_TRUE(any.accepts(message_filter::none()));
}

// The type token alone decides every message that is not one value of a
// user-defined type; for those, only_custom filters need no element look.
TEST(MessageFilter, TypeTokenDecidesBuiltinAndMultiValueMessages) {
  auto strings = message_filter::only<ping, std::string>();
  EXPECT_TRUE(strings.accepts_token(caf::make_type_token<std::string>()));
  EXPECT_FALSE(strings.accepts_token(caf::make_type_token<int32_t>()));
  EXPECT_FALSE(
    strings.accepts_token(caf::make_type_token<std::string, std::string>()));
  EXPECT_FALSE(strings.accepts_token(caf::make_type_token<>()));
  EXPECT_FALSE(strings.custom_types_only());
  auto customs = message_filter::only<ping, pong>();
  EXPECT_TRUE(customs.custom_types_only());
  EXPECT_FALSE(message_filter::every().custom_types_only());
  constexpr auto two_ints = caf::make_type_token<int32_t, int32_t>();
  EXPECT_TRUE(message_filter::every().accepts_token(two_ints));
  EXPECT_TRUE(message_filter::single_custom(caf::make_type_token<ping>()));
  EXPECT_FALSE(message_filter::single_custom(caf::make_type_token<int32_t>()));
  EXPECT_FALSE(
    message_filter::single_custom(caf::make_type_token<ping, ping>()));
  auto merged = message_filter::only<ping>();
  merged.merge(message_filter::only<int32_t>());
  EXPECT_TRUE(merged.accepts_token(caf::make_type_token<int32_t>()));
  EXPECT_FALSE(merged.custom_types_only());
}

// A facet listing `ping` runs no hook for other messages, including
// multi-value ones; the behaviour still gets all of them.
TEST(MessageFilter, FilteredFacetSeesOnlyItsTypes) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto handled = std::make_shared<int>(0);
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<filtered_probe<pings_only>>(log, "pings", 1);
    return {
      [=](int32_t) { ++*handled; },
      [=](const ping&) { ++*handled; },
      [=](const pong&) { ++*handled; },
      [=](int32_t, int32_t) { ++*handled; },
    };
  });
  caf::anon_send(a, int32_t{1});
  caf::anon_send(a, pong{2});
  caf::anon_send(a, int32_t{3}, int32_t{4});
  caf::anon_send(a, ping{5});
  rt->run_until_idle();
  EXPECT_EQ(*handled, 4);
  EXPECT_EQ(log->entries,
            (std::vector<std::string>{"pings:before", "pings:after"}));
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  rt->run_until_idle();
}

// A higher-priority facet replaces an int32 with text: lower facets are
// filtered by the text, so one listing strings sees it and one listing
// int32 does not.
TEST(MessageFilter, ReplacementIsFilteredByItsNewType) {
  auto rt = manual_runtime();
  auto log = std::make_shared<journal>();
  auto texts = std::make_shared<std::vector<std::string>>();
  auto a = rt->spawn([=](actor* self) -> caf::behavior {
    self->attach<filtered_probe<everything>>(log, "converter", 10, true);
    self->attach<filtered_probe<text_only>>(log, "texts", 5);
    self->attach<filtered_probe<ints_only>>(log, "ints", 1);
    return {[=](const std::string& x) { texts->push_back(x); }};
  });
  caf::anon_send(a, int32_t{42});
  rt->run_until_idle();
  EXPECT_EQ(*texts, (std::vector<std::string>{"42"}));
  EXPECT_EQ(log->entries,
            (std::vector<std::string>{"converter:before", "texts:before",
                                      "texts:after", "converter:after"}));
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  rt->run_until_idle();
}
