// Plain-text tables with columns sized to their widest cell.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace horae::admin {

/// Collects rows and prints them aligned under a header.
class table {
public:
  explicit table(std::vector<std::string> header);

  void add(std::vector<std::string> row);

  void print(std::ostream& out) const;

  size_t rows() const noexcept {
    return rows_.size();
  }

private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

} // namespace horae::admin
