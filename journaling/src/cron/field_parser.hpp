// Reading one field of a cron expression into the set of values it allows.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace horae::detail {

/// What one field of a cron expression may hold.
struct cron_field_spec {
  /// Name in error messages, such as "day-of-month".
  const char* name;
  /// Smallest value.
  unsigned min;
  /// Largest value.
  unsigned max;
  /// Names of the values from `min` on, or null.
  const char* const* names;
  /// Number of `names`.
  size_t name_count;
};

/// The five fields in the order of an expression.
extern const cron_field_spec cron_field_specs[5];

/// Parses `text`, the field `spec` of `expression`: `*`, a value, a range
/// or a step, or a comma-separated list of those.
/// @returns a flag per value from 0 to `spec.max`, or `invalid_argument`
///          quoting `expression`, naming the field and the offending item.
caf::expected<std::vector<bool>> parse_cron_field(std::string_view expression,
                                                  const cron_field_spec& spec,
                                                  std::string_view text);

} // namespace horae::detail
