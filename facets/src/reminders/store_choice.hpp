// Which reminder store the configuration asks for, and opening it with the
// module's settings: the embedded SQLite file or a PostgreSQL server.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include <horae/core/clock.hpp>
#include <horae/core/config/config.hpp>
#include <horae/core/config/option_spec.hpp>
#include <horae/journaling/reminder_store.hpp>

namespace horae {
class reminder_ownership;
} // namespace horae

namespace horae::detail {

/// The options of both stores (`horae.reminders.store`, `db`,
/// `busy-timeout` and `postgres.*`), for the module's option list.
std::vector<option_spec> store_options();

/// Opens the store the configuration names, or in cluster mode (`cluster`
/// not null) the cluster's PostgreSQL store, fenced by this node's leases.
/// @param display receives the store as messages name it (no password).
/// @param on_commit told after each group commit (size, duration).
/// @returns the store, or `invalid_config` naming the key and the config's
///          source, or the store's own error.
caf::expected<std::unique_ptr<reminder_store>>
open_configured_store(const config& cfg, const clock& time_source,
                      std::function<void(size_t, clock::duration)> on_commit,
                      std::string& display, const reminder_ownership* cluster);

} // namespace horae::detail
