// Statement parameters in libpq's binary format, with the storage that
// backs them.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <libpq-fe.h>

namespace horae::detail {

/// Type identifiers of the built-in types the store binds (pg_type.oid).
namespace pg_type {
constexpr Oid bytea = 17;
constexpr Oid int8 = 20;
constexpr Oid int2 = 21;
constexpr Oid text = 25;
} // namespace pg_type

/// Collects the parameters of one statement. Integers (in network byte
/// order) and text are copied into the object, which must outlive the
/// sending; byte strings are referenced.
class pg_params {
public:
  pg_params& int8(int64_t x) {
    return integer(x, 8, pg_type::int8);
  }

  pg_params& int2(int16_t x) {
    return integer(x, 2, pg_type::int2);
  }

  /// Binds a copy of `str`.
  pg_params& text(std::string str) {
    storage_.push_back(std::move(str));
    return raw(storage_.back().data(), storage_.back().size(), pg_type::text);
  }

  /// Binds partitions as the comma-separated text that the statements turn
  /// into an array (`string_to_array($n, ',')::int[]`).
  pg_params& partitions(const std::vector<uint32_t>& xs) {
    std::string str;
    for (auto x : xs)
      str += (str.empty() ? "" : ",") + std::to_string(x);
    return text(std::move(str));
  }

  /// Binds `size` bytes at `data` without copying them: they must outlive
  /// the statement's sending.
  pg_params& bytes(const void* data, size_t size) {
    return raw(data, size, pg_type::bytea);
  }

  /// Binds SQL NULL of `type`.
  pg_params& null(Oid type) {
    types_.push_back(type);
    values_.push_back(nullptr);
    lengths_.push_back(0);
    formats_.push_back(1);
    return *this;
  }

  int size() const noexcept {
    return static_cast<int>(values_.size());
  }

  const Oid* types() const noexcept {
    return types_.data();
  }

  const char* const* values() const noexcept {
    return values_.data();
  }

  const int* lengths() const noexcept {
    return lengths_.data();
  }

  const int* formats() const noexcept {
    return formats_.data();
  }

private:
  pg_params& integer(int64_t x, int width, Oid type) {
    std::string buf(static_cast<size_t>(width), '\0');
    auto bits = static_cast<uint64_t>(x);
    for (int i = width - 1; i >= 0; --i, bits >>= 8)
      buf[static_cast<size_t>(i)] = static_cast<char>(bits & 0xff);
    storage_.push_back(std::move(buf));
    return raw(storage_.back().data(), storage_.back().size(), type);
  }

  pg_params& raw(const void* data, size_t size, Oid type) {
    types_.push_back(type);
    // libpq wants a non-null pointer for an empty non-NULL value.
    values_.push_back(size > 0 ? static_cast<const char*>(data) : "");
    lengths_.push_back(static_cast<int>(size));
    formats_.push_back(1);
    return *this;
  }

  // A deque never moves its elements, so pointers into them stay valid.
  std::deque<std::string> storage_;
  std::vector<Oid> types_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

} // namespace horae::detail
