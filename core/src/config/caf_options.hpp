// CAF's own options inside horae's configuration: `caf.<category>.<name>`
// in a file's [caf.<category>] section or on the command line, checked
// against CAF's option table and handed to the actor system unchanged.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/config_value.hpp>
#include <caf/expected.hpp>
#include <caf/settings.hpp>

namespace horae::detail {

class caf_options {
public:
  caf_options();

  ~caf_options();

  /// Parses `text` as the value of CAF's option `name` ("scheduler.policy").
  /// @returns the value, or an error naming the option and the expected type.
  caf::expected<caf::config_value> parse(const std::string& name,
                                         const std::string& text) const;

  /// Checks a value of CAF's option `name` read from a file.
  caf::error check(const std::string& name,
                   const caf::config_value& value) const;

private:
  struct table;
  std::unique_ptr<table> table_;
};

/// @returns every value below `section` as (dotted name, value), e.g.
///          ("scheduler.max-threads", 2) for the [caf] section.
std::vector<std::pair<std::string, caf::config_value>>
leaves(const caf::settings& section);

} // namespace horae::detail
