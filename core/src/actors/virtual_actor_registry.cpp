// Defining types: names, options and facet settings are checked and
// completed here, once; and the registry's observers.
#include <algorithm>
#include <iterator>

#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/core/runtime.hpp>
#include <horae/core/virtual_actor_registry.hpp>

#include "actors/activation_cell.hpp"
#include "actors/defined_type.hpp"

namespace horae {

virtual_actor_registry::virtual_actor_registry(runtime& owner)
  : owner_(&owner), activations_(&owner.metrics().add_counter(
                      "horae_virtual_actor_activations_total",
                      "virtual actors activated, reactivations included")),
    deactivations_(
      &owner.metrics().add_counter("horae_virtual_actor_deactivations_total",
                                   "virtual actor activations that ended")) {
  // nop
}

virtual_actor_registry::~virtual_actor_registry() = default;

std::string virtual_actor_registry::slot_key(const std::string& type,
                                             const std::string& key) {
  std::string result;
  result.reserve(type.size() + key.size() + 1);
  result += type;
  result += '\0';
  result += key;
  return result;
}

namespace {

/// Lays the dictionaries of `overrides` over those of `into`, per facet.
caf::error overlay_facet_settings(const std::string& type,
                                  const caf::settings& overrides,
                                  caf::settings& into) {
  for (const auto& [name, value] : overrides) {
    auto dict = caf::get_if<caf::settings>(&value);
    if (!dict)
      return make_error(errc::invalid_argument,
                        "actor type '" + type + "': settings of facet '" + name
                          + "' must be a dictionary");
    auto& target = into[name];
    if (!caf::holds_alternative<caf::settings>(target))
      target = caf::settings{};
    for (const auto& [key, setting] : *dict)
      caf::get<caf::settings>(target).insert_or_assign(key, setting);
  }
  return caf::none;
}

} // namespace

caf::expected<actor_type_options> virtual_actor_registry::complete_options(
  const std::string& type, const actor_type_options& options) const {
  const auto& cfg = owner_->configuration();
  actor_type_options merged;
  if (auto i = cfg.actor_types().find(type); i != cfg.actor_types().end())
    merged = i->second;
  for (const auto& name : options.facets)
    if (std::find(merged.facets.begin(), merged.facets.end(), name)
        == merged.facets.end())
      merged.facets.push_back(name);
  if (auto err = overlay_facet_settings(type, options.facet_settings,
                                        merged.facet_settings))
    return err;
  if (options.idle_timeout)
    merged.idle_timeout = options.idle_timeout;
  if (!merged.idle_timeout)
    merged.idle_timeout = cfg.get_duration("horae.actors.idle-timeout");
  if (*merged.idle_timeout < clock::duration::zero())
    return make_error(errc::invalid_argument,
                      "actor type '" + type + "': negative idle timeout");
  for (const auto& name : merged.facets) {
    caf::settings given;
    if (auto sub = caf::get_if<caf::settings>(&merged.facet_settings, name))
      given = *sub;
    auto complete = owner_->facet_settings(name, given);
    if (!complete)
      return make_error(
        code_of(complete.error()) == errc::none ? errc::invalid_config
                                                : code_of(complete.error()),
        "actor type '" + type + "': " + describe(complete.error()));
    merged.facet_settings.insert_or_assign(name, std::move(*complete));
  }
  return merged;
}

caf::error virtual_actor_registry::define(std::string type,
                                          actor_factory factory,
                                          const actor_type_options& options) {
  if (auto err = check_name("actor type name", type))
    return err;
  if (!factory)
    return make_error(errc::invalid_argument,
                      "actor type '" + type + "' has no behaviour factory");
  auto complete = complete_options(type, options);
  if (!complete)
    return complete.error();
  auto defined = std::make_shared<detail::defined_type>();
  defined->name = type;
  defined->factory = std::move(factory);
  defined->options = std::move(*complete);
  std::vector<define_listener> listeners;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (closed_)
      return make_error(errc::closed, "the runtime is shutting down");
    if (types_.count(type) > 0)
      return make_error(errc::already_exists,
                        "actor type '" + type + "' is already defined");
    types_.emplace(type, std::move(defined));
    listeners = define_listeners_;
  }
  // Outside the lock: a listener may deliver to the new type at once.
  for (auto& fn : listeners)
    fn(type);
  return caf::none;
}

void virtual_actor_registry::on_define(define_listener fn) {
  std::lock_guard<std::mutex> guard{mtx_};
  define_listeners_.push_back(std::move(fn));
}

caf::expected<virtual_ref> virtual_actor_registry::ref(const std::string& type,
                                                       const std::string& key) {
  if (auto err = check_name("virtual actor key", key))
    return make_error(code_of(err), describe(err) + " (type '"
                                      + quote_for_message(type) + "')");
  std::lock_guard<std::mutex> guard{mtx_};
  if (types_.count(type) == 0)
    return make_error(errc::not_found, "actor type '" + quote_for_message(type)
                                         + "' is not defined");
  return virtual_ref{shared_from_this(), type, key,
                     cell_for(slot_key(type, key))};
}

std::shared_ptr<detail::activation_cell>
virtual_actor_registry::cell_for(const std::string& k) {
  auto& entry = cells_[k];
  if (auto cell = entry.lock())
    return cell;
  auto cell = std::make_shared<detail::activation_cell>();
  entry = cell;
  if (cells_.size() >= 2 * std::max<size_t>(cells_swept_at_, 512)) {
    for (auto i = cells_.begin(); i != cells_.end();)
      i = i->second.expired() ? cells_.erase(i) : std::next(i);
    cells_swept_at_ = cells_.size();
  }
  return cell;
}

bool virtual_actor_registry::defined(const std::string& type) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return types_.count(type) > 0;
}

size_t virtual_actor_registry::active_count() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return slots_.size();
}

uint64_t virtual_actor_registry::incarnations(const std::string& type,
                                              const std::string& key) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = history_.find(slot_key(type, key));
  return i == history_.end() ? 0 : i->second;
}

} // namespace horae
