// An owned libpq result and the decoding of its binary-format fields.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include <libpq-fe.h>

namespace horae::detail {

/// Frees a `PGresult` when it goes out of scope.
struct pg_result_deleter {
  void operator()(PGresult* res) const noexcept {
    PQclear(res);
  }
};

/// One statement's result, read in binary format: integers arrive in
/// network byte order with a fixed length, so a column whose type was
/// changed under the store shows as a wrong length instead of a bad parse.
class pg_result {
public:
  pg_result() = default;

  explicit pg_result(PGresult* res) : res_(res) {
    // nop
  }

  PGresult* get() const noexcept {
    return res_.get();
  }

  int rows() const noexcept {
    return PQntuples(res_.get());
  }

  /// @returns the number of rows an UPDATE or DELETE touched.
  uint64_t affected() const {
    auto str = PQcmdTuples(res_.get());
    return str != nullptr && *str != '\0' ? std::stoull(str) : 0;
  }

  bool is_null(int row, int col) const noexcept {
    return PQgetisnull(res_.get(), row, col) != 0;
  }

  /// @returns the field as text or bytes (its raw binary value).
  std::string bytes_at(int row, int col) const {
    return std::string{PQgetvalue(res_.get(), row, col),
                       static_cast<size_t>(PQgetlength(res_.get(), row, col))};
  }

  /// @returns an integer field of `width` bytes (2, 4 or 8), or none if
  ///          the field has another length.
  std::optional<int64_t> int_at(int row, int col, int width) const {
    if (PQgetlength(res_.get(), row, col) != width)
      return std::nullopt;
    auto ptr
      = reinterpret_cast<const uint8_t*>(PQgetvalue(res_.get(), row, col));
    uint64_t x = 0;
    for (int i = 0; i < width; ++i)
      x = (x << 8) | ptr[i];
    // Sign-extend the narrower types.
    auto shift = 64 - 8 * width;
    return static_cast<int64_t>(x << shift) >> shift;
  }

private:
  std::unique_ptr<PGresult, pg_result_deleter> res_;
};

} // namespace horae::detail
