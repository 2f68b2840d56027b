// Column-aligned text output.
#include "table.hpp"

#include <algorithm>

namespace horae::admin {

table::table(std::vector<std::string> header) : header_(std::move(header)) {
  // nop
}

void table::add(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

void table::print(std::ostream& out) const {
  std::vector<size_t> width(header_.size());
  for (size_t i = 0; i < header_.size(); ++i) {
    width[i] = header_[i].size();
    for (const auto& row : rows_)
      width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      out << cells[i];
      if (i + 1 < cells.size())
        out << std::string(width[i] - cells[i].size() + 2, ' ');
    }
    out << '\n';
  };
  line(header_);
  for (const auto& row : rows_)
    line(row);
}

} // namespace horae::admin
