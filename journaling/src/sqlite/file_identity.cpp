// Detecting a database file deleted or replaced under an open store.
#include "sqlite/file_identity.hpp"

#include <cerrno>

#include <horae/core/error.hpp>

#include <sys/stat.h>

namespace horae::detail {

file_identity file_identity::of(const std::string& path) {
  file_identity result;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    result.known_ = true;
    result.device_ = st.st_dev;
    result.inode_ = st.st_ino;
  }
  return result;
}

caf::error file_identity::check(const std::string& path) const {
  if (!known_)
    return caf::none;
  struct stat st {};
  auto what = std::string{};
  if (::stat(path.c_str(), &st) != 0)
    what = errno == ENOENT ? "was deleted" : "can no longer be examined";
  else if (st.st_dev != device_ || st.st_ino != inode_)
    what = "was replaced by another file";
  else
    return caf::none;
  return make_error(errc::storage_failure,
                    "sqlite database " + path + " " + what
                      + " while the store had it open; writes are refused "
                        "so that neither file is damaged (restart to open "
                        "the file now at that path)");
}

} // namespace horae::detail
