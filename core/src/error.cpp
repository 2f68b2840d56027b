// Rendering and construction of horae error values.
#include <caf/deep_to_string.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

#include <horae/core/error.hpp>

namespace horae {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::none:
      return "none";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::out_of_range:
      return "out_of_range";
    case errc::limit_reached:
      return "limit_reached";
    case errc::not_found:
      return "not_found";
    case errc::already_exists:
      return "already_exists";
    case errc::facet_not_attached:
      return "facet_not_attached";
    case errc::invalid_config:
      return "invalid_config";
    case errc::storage_failure:
      return "storage_failure";
    case errc::storage_corrupt:
      return "storage_corrupt";
    case errc::closed:
      return "closed";
    case errc::timeout:
      return "timeout";
    case errc::cancelled:
      return "cancelled";
    case errc::backpressure:
      return "backpressure";
    case errc::not_owner:
      return "not_owner";
  }
  return "unknown";
}

caf::error make_error(errc code, std::string context) {
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(context))};
}

caf::error make_error(errc code) {
  return caf::error{static_cast<uint8_t>(code), error_category};
}

errc code_of(const caf::error& err) noexcept {
  if (!err || err.category() != error_category)
    return errc::none;
  return static_cast<errc>(err.code());
}

std::string describe(const caf::error& err) {
  if (!err)
    return "no error";
  std::string result;
  if (err.category() == error_category) {
    result = "horae.";
    result += to_string(static_cast<errc>(err.code()));
  } else if (err.category() == caf::atom("system")) {
    result = "caf.";
    result += caf::to_string(static_cast<caf::sec>(err.code()));
  } else {
    result = caf::to_string(err.category());
    result += '.';
    result += std::to_string(err.code());
  }
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0)) {
    result += ": ";
    result += ctx.get_as<std::string>(0);
  } else if (!ctx.empty()) {
    result += ": ";
    result += caf::deep_to_string(ctx);
  }
  return result;
}

} // namespace horae
