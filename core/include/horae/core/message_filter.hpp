// Which messages a facet intercepts. A facet that handles only its own
// message types says so, and the actor then skips its hooks for every other
// message: ordinary messages pay for a type comparison, not for a call into
// each facet.
#pragma once

#include <cstdint>
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
    builtin_ |= other.builtin_;
  }

  /// @returns whether `token` (CAF's `type_token()` of a message) stands for
  ///          one value of a user-defined type: only such a message needs a
  ///          look at its element to be decided.
  static constexpr bool single_custom(uint32_t token) noexcept {
    return token == single_prefix;
  }

  /// @returns whether only single values of user-defined types pass, so
  ///          that every other message is turned away by its token.
  bool custom_types_only() const noexcept {
    return !every_ && builtin_ == 0;
  }

  /// @returns whether a message passes, decided from its type token alone.
  /// @pre `!single_custom(token)`
  bool accepts_token(uint32_t token) const noexcept {
    if (every_)
      return true;
    if ((token & ~type_nr_mask) != single_prefix)
      return false; // not a single value
    return ((builtin_ >> (token & type_nr_mask)) & 1u) != 0;
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
  // CAF's type token: 0xFFFFFFFF shifted left by 6 bits per element, each
  // element's type number (0 for user-defined types) in the freed bits.
  static constexpr uint32_t type_nr_mask = 63;
  static constexpr uint32_t single_prefix = 0xFFFFFFFFu << 6;

  message_filter(bool every, std::vector<caf::rtti_pair> types)
    : every_(every), types_(std::move(types)) {
    for (const auto& type : types_)
      if (type.first != 0)
        builtin_ |= uint64_t{1} << (type.first & type_nr_mask);
  }

  bool every_;
  std::vector<caf::rtti_pair> types_;
  /// Bit n set: one value of CAF's built-in type number n passes.
  uint64_t builtin_ = 0;
};

} // namespace horae
