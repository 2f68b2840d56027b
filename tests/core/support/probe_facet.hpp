// A facet for tests: records every hook call into a shared journal and can
// be told to drop messages of a given integer value.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <horae/core/actor.hpp>
#include <horae/core/facet.hpp>
#include <horae/core/module.hpp>

namespace horae::test {

/// What probe facets saw, in order: "<facet>:<hook>".
struct journal {
  std::vector<std::string> entries;

  void add(const std::string& who, const std::string& what) {
    entries.push_back(who + ":" + what);
  }
};

class probe_facet : public facet {
public:
  probe_facet(std::shared_ptr<test::journal> log, std::string label, int prio,
              int drop_value = -1)
    : log_(std::move(log)), label_(std::move(label)), prio_(prio),
      drop_value_(drop_value) {
    // nop
  }

  std::string_view name() const noexcept override {
    return "probe";
  }

  int priority() const noexcept override {
    return prio_;
  }

  void on_attach(actor&) override {
    log_->add(label_, "attach");
  }

  void on_activate(actor&) override {
    log_->add(label_, "activate");
  }

  void on_deactivate(actor&) override {
    log_->add(label_, "deactivate");
  }

  void on_detach(actor&) override {
    log_->add(label_, "detach");
  }

  intercept before_message(actor&,
                           const caf::type_erased_tuple& content) override {
    log_->add(label_, "before");
    if (content.size() == 1 && content.match_element<int32_t>(0)
        && content.get_as<int32_t>(0) == drop_value_)
      return intercept::drop();
    return intercept::proceed();
  }

  void after_message(actor&, const caf::type_erased_tuple&,
                     message_outcome) override {
    log_->add(label_, "after");
  }

private:
  std::shared_ptr<test::journal> log_;
  std::string label_;
  int prio_;
  int drop_value_;
};

// Distinct types so that one actor can carry several probes.
class high_probe : public probe_facet {
public:
  using probe_facet::probe_facet;
};

class low_probe : public probe_facet {
public:
  using probe_facet::probe_facet;
};

/// A module declaring a "probe" facet with an integer setting, for config
/// tests. `built`, if given, receives the priority of every probe built.
inline module probe_module(std::shared_ptr<test::journal> log,
                           std::shared_ptr<std::vector<int64_t>> built
                           = nullptr) {
  module mod;
  mod.name = "probe";
  facet_descriptor desc;
  desc.name = "probe";
  desc.settings.push_back(option_spec::integer(
    "priority", 0, -100, 100, "ordering key of the probe facet"));
  desc.make = [log, built](runtime&, const caf::settings& settings)
    -> caf::expected<std::unique_ptr<facet>> {
    // -1 only if the runtime failed to complete the settings.
    auto prio = caf::get_or(settings, "priority", int64_t{-1});
    if (built)
      built->push_back(prio);
    return std::make_unique<probe_facet>(log, "probe", static_cast<int>(prio));
  };
  mod.facets.push_back(std::move(desc));
  return mod;
}

} // namespace horae::test
