// Which file a path named when the store opened it. SQLite keeps writing to
// the file it opened even after the path was deleted or now names another
// file, so the store compares identities before it writes.
#pragma once

#include <string>

#include <caf/error.hpp>

#include <sys/types.h>

namespace horae::detail {

/// Device and inode of a file, taken once.
class file_identity {
public:
  /// @returns the identity of the file `path` names now; an unknown one if
  ///          it names none (then `check` never complains).
  static file_identity of(const std::string& path);

  /// @returns none while `path` still names the same file, else a
  ///          `storage_failure` saying whether it was deleted or replaced.
  caf::error check(const std::string& path) const;

private:
  bool known_ = false;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

} // namespace horae::detail
