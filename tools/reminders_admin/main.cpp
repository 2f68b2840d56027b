// horae-reminders: inspect, export and repair the reminders of a horae
// SQLite database.
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  horae::admin::invocation inv;
  auto problem = horae::admin::parse(argc, argv, inv);
  if (!problem.empty()) {
    std::cerr << "horae-reminders: " << problem
              << "\nrun with --help for usage\n";
    return 2;
  }
  if (inv.command == "help") {
    std::cout << inv.text;
    return 0;
  }
  return horae::admin::run(inv, std::cout, std::cerr);
}
