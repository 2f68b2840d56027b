// Out-of-line anchor for the service vtable.
#include <horae/core/service.hpp>

namespace horae {

service::~service() = default;

} // namespace horae
