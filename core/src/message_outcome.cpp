// Names of message outcomes, for logs.
#include <horae/core/message_outcome.hpp>

namespace horae {

std::string_view to_string(message_outcome x) noexcept {
  switch (x) {
    case message_outcome::handled:
      return "handled";
    case message_outcome::skipped:
      return "skipped";
    case message_outcome::unhandled:
      return "unhandled";
    case message_outcome::threw:
      return "threw";
  }
  return "unknown";
}

} // namespace horae
