// Which messages a facet intercepts. A facet that handles only its own
// message types says so, and the actor then skips its hooks for every other
// message: ordinary messages pay for a type comparison, not for a call into
// each facet.
#pragma once

#include <utility>
#include <vector>

#include <caf/rtti_pair.hpp>

namespace horae {

/// The messages whose `before_message` and `after_message` hooks a facet
/// wants: every message (the default), or only messages of exactly one
/// element whose type is listed.
class message_filter {
public:
  /// Every message, whatever its content.
  static message_filter every() {
    return message_filter{true, {}};
  }

  /// Only messages consisting of one value of one of `Ts`.
  template <class... Ts>
  static message_filter only() {
    return message_filter{false, {caf::make_rtti_pair<Ts>()...}};
  }

  /// No message at all; the start of a union built with `merge`.
  static message_filter nothing() {
    return message_filter{false, {}};
  }

  /// Extends this filter to also accept what `other` accepts.
  void merge(const message_filter& other) {
    every_ = every_ || other.every_;
    if (!every_)
      types_.insert(types_.end(), other.types_.begin(), other.types_.end());
  }

  /// @returns whether a message passes. `head` is the type of its only
  ///          element, or `none()` for a message of more or fewer elements.
  bool accepts(const caf::rtti_pair& head) const noexcept {
    if (every_)
      return true;
    if (head.first == 0 && head.second == nullptr)
      return false;
    for (const auto& type : types_)
      if (type.first == head.first
          && (type.first != 0 || *type.second == *head.second))
        return true;
    return false;
  }

  /// The `head` of a message that is not a single value.
  static caf::rtti_pair none() noexcept {
    return {0, nullptr};
  }

private:
  message_filter(bool every, std::vector<caf::rtti_pair> types)
    : every_(every), types_(std::move(types)) {
    // nop
  }

  bool every_;
  std::vector<caf::rtti_pair> types_;
};

} // namespace horae
