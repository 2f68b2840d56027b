// Looks each element's type up in CAF's own registry, the one the BASP
// serializer will consult, so the check and the wire can never disagree.
#include <string>
#include <typeinfo>

#include <horae/cluster/transport/announced_types.hpp>
#include <horae/core/error.hpp>

namespace horae::cluster {

caf::error check_announced(const caf::actor_system& sys,
                           const caf::message& msg) {
  const auto& types = sys.types();
  for (size_t i = 0; i < msg.size(); ++i) {
    auto rtti = msg.type(i);
    if (types.portable_name(rtti) != types.default_type_name())
      continue;
    std::string type_name
      = rtti.second != nullptr ? rtti.second->name() : "<unknown>";
    return make_error(errc::invalid_argument,
                      "element " + std::to_string(i) + " of the message has "
                        + "type '" + type_name
                        + "', which was not announced for messages between "
                          "nodes: call transport_options::announce<T>(name) "
                          "on every node");
  }
  return caf::none;
}

} // namespace horae::cluster
