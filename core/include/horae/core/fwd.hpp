// Forward declarations of horae's core types.
#pragma once

namespace horae {

class actor;
class clock;
class config;
class config_loader;
class config_schema;
class facet;
class manual_clock;

class runtime;
class service;
class system_clock;
class virtual_actor_registry;
class virtual_ref;

struct actor_type_options;
struct module;
struct option_spec;

enum class errc : unsigned char;

namespace detail {

class activation_cell;

} // namespace detail

} // namespace horae
