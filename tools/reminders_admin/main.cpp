// horae-reminders: inspect and delete reminders in a horae SQLite database.
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  horae::admin::invocation inv;
  auto problem = horae::admin::parse(argc, argv, inv);
  if (inv.command == "help") {
    std::cout << horae::admin::usage();
    return 0;
  }
  if (!problem.empty()) {
    std::cerr << "horae-reminders: " << problem << "\n"
              << horae::admin::usage();
    return 2;
  }
  return horae::admin::run(inv, std::cout, std::cerr);
}
