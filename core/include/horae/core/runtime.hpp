// horae::runtime: owns the CAF actor system, the clock, the services and the
// virtual-actor registry, and shuts them down in the right order.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <typeindex>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <horae/core/actor.hpp>
#include <horae/core/actor_factory.hpp>
#include <horae/core/clock.hpp>
#include <horae/core/config/config.hpp>
#include <horae/core/error.hpp>
#include <horae/core/manual_clock.hpp>
#include <horae/core/metrics.hpp>
#include <horae/core/service.hpp>
#include <horae/core/virtual_actor_registry.hpp>

namespace horae {

namespace detail {
class runtime_system_config;
} // namespace detail

/// The root object of a horae application. Several runtimes may live in one
/// process; each has its own actor system and services.
///
/// With `config::manual_time`, the runtime uses a manual clock and CAF's
/// deterministic test scheduler: nothing runs until `advance` or
/// `run_until_idle` is called, which makes tests exact and sleep-free.
class runtime {
public:
  // -- constructors, destructors, and assignment operators --------------------

  /// Creates a runtime and installs the config's modules.
  /// @returns an error if a module's installer fails (e.g. a database that
  ///          cannot be opened).
  static caf::expected<std::unique_ptr<runtime>> make(config cfg);

  /// Runs before the services start, e.g. to define the application's actor
  /// types before the first reminder is delivered.
  using setup_fn = std::function<caf::error(runtime&)>;

  /// Creates a runtime, installs the config's modules, runs `setup` and
  /// only then starts the services.
  /// @returns an error of a module's installer or of `setup`.
  static caf::expected<std::unique_ptr<runtime>> make(config cfg,
                                                      const setup_fn& setup);

  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  // -- observers --------------------------------------------------------------

  caf::actor_system& system() noexcept {
    return *system_;
  }

  horae::clock& clock() noexcept {
    return *clock_;
  }

  /// @returns the manual clock, or `nullptr` when running on real time.
  horae::manual_clock* manual_clock() noexcept;

  const horae::config& configuration() const noexcept {
    return config_;
  }

  virtual_actor_registry& registry() noexcept {
    return *registry_;
  }

  /// @returns the runtime's metrics, which its parts register and update;
  ///          served over HTTP when `horae.metrics.port` is set.
  horae::metrics& metrics() noexcept {
    return metrics_;
  }

  // -- services ---------------------------------------------------------------

  /// Adds a service; it starts when the runtime starts (immediately if it
  /// already has) and stops in reverse order of addition.
  template <class T, class... Ts>
  T& add_service(Ts&&... xs) {
    auto ptr = std::make_unique<T>(std::forward<Ts>(xs)...);
    auto& ref = *ptr;
    add_service_impl(std::type_index{typeid(T)}, std::move(ptr));
    return ref;
  }

  /// Adds a service of type `T` that others find as its base `Interface`,
  /// so that a module can depend on an interface another module provides.
  template <class Interface, class T, class... Ts>
  T& add_service_as(Ts&&... xs) {
    static_assert(std::is_base_of_v<Interface, T>);
    static_assert(std::is_base_of_v<service, Interface>);
    auto ptr = std::make_unique<T>(std::forward<Ts>(xs)...);
    auto& ref = *ptr;
    add_service_impl(std::type_index{typeid(Interface)}, std::move(ptr));
    return ref;
  }

  /// @returns the service of type `T`, or `nullptr`.
  template <class T>
  T* find_service() const noexcept {
    return static_cast<T*>(find_service_impl(std::type_index{typeid(T)}));
  }

  // -- facets -----------------------------------------------------------------

  /// Checks `settings` of the facet named `name` against the facet's
  /// declared settings and fills in defaults.
  /// @returns the completed settings, `not_found` for an unknown facet or
  ///          `invalid_config` for an unknown or ill-typed setting.
  caf::expected<caf::settings>
  facet_settings(const std::string& name, const caf::settings& settings) const;

  /// Creates the facet named `name` (declared by a module) with `settings`.
  caf::expected<std::unique_ptr<facet>>
  make_facet(const std::string& name, const caf::settings& settings);

  // -- actors -----------------------------------------------------------------

  /// Spawns a horae actor whose behaviour comes from `factory`. The runtime
  /// stops it on shutdown if it is still running.
  caf::actor spawn(actor_factory factory);

  /// Spawns a user-defined subclass of horae::actor.
  template <class T, class... Ts>
  caf::actor spawn_class(Ts&&... xs) {
    static_assert(std::is_base_of<actor, T>::value,
                  "T must derive from horae::actor");
    return system_->spawn<T>(std::forward<Ts>(xs)...);
  }

  /// Defines a virtual actor type; see `virtual_actor_registry::define`.
  caf::error define(std::string type, actor_factory factory,
                    const actor_type_options& options = {});

  /// @returns a reference to the virtual actor (type, key).
  caf::expected<virtual_ref> ref(const std::string& type,
                                 const std::string& key) const;

  // -- manual time ------------------------------------------------------------

  /// Advances the manual clock by `d` in steps of at most `step` and, after
  /// each step, runs services and actors until nothing is left to do.
  /// @pre `manual_clock() != nullptr`
  void advance(clock::duration d,
               clock::duration step = std::chrono::milliseconds{1});

  /// Runs due service work and every runnable actor until all are idle.
  /// With a real clock this only polls the services once.
  /// @returns how many units of work were done.
  size_t run_until_idle();

  // -- shutdown ---------------------------------------------------------------

  /// Deactivates virtual actors, stops services in reverse order and waits
  /// for the actor system. Idempotent; the destructor calls it.
  void shutdown();

private:
  /// Only `make` creates runtimes: it installs the modules and starts the
  /// services, which a bare constructor would leave out.
  explicit runtime(config cfg);

  void add_service_impl(std::type_index type, std::unique_ptr<service> ptr);

  service* find_service_impl(std::type_index type) const noexcept;

  horae::config config_;
  std::unique_ptr<horae::clock> clock_;
  std::unique_ptr<detail::runtime_system_config> system_config_;
  std::unique_ptr<caf::actor_system> system_;
  // Before the registry and the services, which register metrics in it.
  horae::metrics metrics_;
  std::shared_ptr<virtual_actor_registry> registry_;
  std::vector<std::pair<std::type_index, std::unique_ptr<service>>> services_;
  std::mutex spawned_mtx_;
  std::vector<caf::weak_actor_ptr> spawned_;
  bool started_ = false;
  bool stopped_ = false;
};

} // namespace horae
