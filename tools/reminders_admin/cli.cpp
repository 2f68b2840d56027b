// The admin tool's command line, parsed with CLI11.
#include <algorithm>
#include <iterator>
#include <sstream>

#include <horae/core/version.hpp>

#include "commands.hpp"
#include <CLI/CLI.hpp>

namespace horae::admin {

namespace {

constexpr const char* commands[]
  = {"list", "show", "stats", "delete", "backup", "check", "export", "import"};

} // namespace

std::string parse(int argc, char** argv, invocation& result) {
  CLI::App app{"Inspect, export and repair the reminders of a horae SQLite "
               "database. Control bytes and backslashes in names print as "
               "\\xNN; type them the same way.",
               "horae-reminders"};
  app.set_version_flag("--version", std::string{"horae-reminders (horae "}
                                      + horae::version + ")");
  app.require_subcommand(1);
  // The tool's options may come before or after the command.
  app.fallthrough();
  app
    .add_option("--db", result.db,
                "reminder store: a SQLite file, or a PostgreSQL URI "
                "(postgresql://user@host:port/db)")
    ->required();
  app.add_option("--format", result.format, "output: text or json")
    ->check(CLI::IsMember({"text", "json"}));
  // A mistyped command gets a message naming the commands, not CLI11's
  // "argument was not expected".
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--db" || word == "--format" || word == "--limit"
        || word == "--out") {
      ++i; // its value follows
      continue;
    }
    if (word.empty() || word[0] == '-')
      continue;
    if (std::find(std::begin(commands), std::end(commands), word)
        == std::end(commands)) {
      std::string known;
      for (const auto* c : commands)
        known += (known.empty() ? "" : ", ") + std::string{c};
      return "unknown command '" + word + "' (commands: " + known + ")";
    }
    break;
  }
  auto list = app.add_subcommand("list", "reminders, ordered by actor");
  list->add_option("type_key", result.words, "actor type, then actor key")
    ->expected(0, 2);
  list->add_option("--limit", result.limit, "most reminders to list")
    ->check(CLI::PositiveNumber);
  list->add_flag("--overdue", result.overdue,
                 "only reminders due now or earlier, oldest first");
  auto show = app.add_subcommand("show", "every field of one reminder");
  show->add_option("type key name", result.words, "the reminder")
    ->expected(3)
    ->required();
  app.add_subcommand("stats",
                     "counts per actor type, overdue reminders, next due");
  auto del = app.add_subcommand("delete", "delete one reminder");
  del->add_option("type key name", result.words, "the reminder")
    ->expected(3)
    ->required();
  auto backup
    = app.add_subcommand("backup", "consistent copy of the live store");
  backup->add_option("file", result.file, "where the copy goes (new file)")
    ->required();
  app.add_subcommand("check", "integrity, unreadable and invalid rows");
  auto exp = app.add_subcommand("export", "every reminder as JSON");
  exp->add_option("--out", result.file, "file to write; - for the output")
    ->default_val("-");
  auto imp
    = app.add_subcommand("import", "reminders from a file `export` wrote");
  imp->add_option("file", result.file, "JSON file")->required();
  imp->add_flag("--keep-existing", result.keep_existing,
                "leave reminders that exist already unchanged");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      // --help (of the tool or of a command) or --version.
      std::ostringstream out;
      std::ostringstream err;
      app.exit(e, out, err);
      result.command = "help";
      result.text = out.str() + err.str();
      return "";
    }
    return e.what();
  }
  result.command = app.get_subcommands().front()->get_name();
  return "";
}

} // namespace horae::admin
