// list / show / delete against a reminder database, with readable output.
#include "commands.hpp"

#include <cctype>
#include <charconv>
#include <ctime>
#include <filesystem>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include "table.hpp"

namespace horae::admin {

namespace {

std::string format_time(clock::wall_time t) {
  auto secs
    = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
        .count();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                  t.time_since_epoch())
                  .count()
                % 1000;
  auto raw = static_cast<std::time_t>(secs);
  std::tm utc{};
  gmtime_r(&raw, &utc);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[80];
  std::snprintf(out, sizeof(out), "%s.%03lldZ", buf,
                static_cast<long long>(millis < 0 ? millis + 1000 : millis));
  return out;
}

/// Names as the terminal may show them: control bytes and backslashes as
/// `\xNN`, which `unescape` turns back, so every name can be addressed.
std::string shown(const std::string& name) {
  return quote_for_message(name, std::string::npos);
}

std::string unescape(const std::string& word) {
  std::string result;
  for (size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '\\' && i + 3 < word.size() && word[i + 1] == 'x'
        && std::isxdigit(static_cast<unsigned char>(word[i + 2]))
        && std::isxdigit(static_cast<unsigned char>(word[i + 3]))) {
      result
        += static_cast<char>(std::stoi(word.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      result += word[i];
    }
  }
  return result;
}

std::string shown(const reminder_key& key) {
  return shown(key.actor_type) + "/" + shown(key.actor_key) + "/"
         + shown(key.name);
}

std::string format_payload(const std::vector<uint8_t>& bytes) {
  bool printable = std::all_of(bytes.begin(), bytes.end(),
                               [](uint8_t c) { return c >= 0x20 && c < 0x7f; });
  if (printable)
    return '"' + std::string(bytes.begin(), bytes.end()) + '"';
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex = "0x";
  for (auto b : bytes) {
    hex += digits[b >> 4];
    hex += digits[b & 0xf];
  }
  return hex;
}

caf::expected<std::unique_ptr<reminder_store>>
open(const std::string& path, bool writable, std::ostream& err) {
  // Never create a database by accident: a typo in --db is an error.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(errc::not_found,
                      "no database at " + path + " (check --db)");
  sqlite_store_options opts;
  opts.path = path;
  opts.read_only = !writable;
  opts.must_exist = true;
  opts.on_invalid_row = [&err](const reminder_key&, const caf::error& e) {
    err << "horae-reminders: skipped " << describe(e) << '\n';
  };
  return open_sqlite_store(std::move(opts));
}

/// At most `limit` reminders of one actor type. `list_all` orders by type
/// first, so paging stops after the type's last row.
caf::expected<std::vector<reminder_record>>
list_type(reminder_store& db, const std::string& type, size_t limit) {
  constexpr size_t page = 1000;
  std::vector<reminder_record> result;
  for (size_t offset = 0; result.size() < limit; offset += page) {
    auto rows = db.list_all(page, offset);
    if (!rows)
      return std::move(rows.error());
    for (auto& r : *rows) {
      if (r.key.actor_type > type || result.size() == limit)
        return result;
      if (r.key.actor_type == type)
        result.push_back(std::move(r));
    }
    if (rows->size() < page)
      break;
  }
  return result;
}

} // namespace

std::string usage() {
  return "usage: horae-reminders <command> --db=<path> [options]\n"
         "commands:\n"
         "  list [<type> [<key>]] [--limit=N]  reminders, ordered by actor\n"
         "  show <type> <key> <name>           every field of one reminder\n"
         "  delete <type> <key> <name>         delete one reminder\n"
         "  backup <file>                      consistent copy of the live "
         "store\n"
         "  check                              integrity, unreadable and "
         "invalid rows\n"
         "Control bytes and backslashes in names print as \\xNN; type them "
         "the same way.\n";
}

std::string parse(int argc, char** argv, invocation& result) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--db=", 0) == 0) {
      result.db = arg.substr(5);
    } else if (arg.rfind("--limit=", 0) == 0) {
      auto text = arg.substr(8);
      size_t value = 0;
      auto [ptr, ec]
        = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc{} || ptr != text.data() + text.size() || value == 0)
        return "invalid --limit '" + text + "': expected a positive integer";
      result.limit = value;
    } else if (arg == "--help" || arg == "-h") {
      result.command = "help";
      return "";
    } else if (arg.rfind("--", 0) == 0) {
      return "unknown option '" + arg + "'";
    } else if (result.command.empty()) {
      result.command = arg;
    } else {
      result.words.push_back(arg);
    }
  }
  if (result.command.empty())
    return "missing command";
  if (result.command != "list" && result.command != "show"
      && result.command != "delete" && result.command != "backup"
      && result.command != "check")
    return "unknown command '" + result.command + "'";
  if (result.db.empty())
    return "missing --db=<path>";
  if (result.command == "list" && result.words.size() > 2)
    return "list takes at most <type> and <key>";
  if (result.command == "check") {
    if (!result.words.empty())
      return "check takes no arguments";
    return "";
  }
  if (result.command == "backup") {
    if (result.words.size() != 1)
      return "backup needs <file>";
    return "";
  }
  if (result.command != "list" && result.words.size() != 3)
    return result.command + " needs <type> <key> <name>";
  return "";
}

int run(const invocation& inv, std::ostream& out, std::ostream& err) {
  if (inv.command == "check") {
    auto report = check_sqlite_store(inv.db);
    if (!report) {
      err << "horae-reminders: " << describe(report.error()) << '\n';
      return 1;
    }
    out << "integrity: ";
    for (size_t i = 0; i < report->integrity.size(); ++i)
      out << (i == 0 ? "" : "\n  ") << report->integrity[i];
    out << '\n' << report->readable_rows << " readable reminder(s)\n";
    for (const auto& [key, why] : report->invalid_rows)
      out << "invalid: " << shown(key) << ": " << why << '\n';
    for (const auto& [first, last] : report->unreadable)
      out << "unreadable: rowids " << first << " to " << last << '\n';
    if (report->damaged())
      out << "the store is damaged: restore a backup, or keep running; the "
             "runtime delivers every readable reminder\n";
    return report->damaged() ? 1 : 0;
  }
  if (inv.command == "backup") {
    if (auto e = backup_sqlite_store(inv.db, inv.words[0])) {
      err << "horae-reminders: " << describe(e) << '\n';
      return 1;
    }
    out << "backed up " << inv.db << " to " << inv.words[0] << '\n';
    return 0;
  }
  auto store = open(inv.db, inv.command == "delete", err);
  if (!store) {
    err << "horae-reminders: " << describe(store.error()) << '\n';
    return 1;
  }
  auto& db = **store;
  if (inv.command == "list") {
    caf::expected<std::vector<reminder_record>> rows{
      std::vector<reminder_record>{}};
    if (inv.words.size() == 2)
      rows = db.list(unescape(inv.words[0]), unescape(inv.words[1]));
    else if (inv.words.size() == 1)
      rows = list_type(db, unescape(inv.words[0]), inv.limit);
    else
      rows = db.list_all(inv.limit, 0);
    if (!rows) {
      err << "horae-reminders: " << describe(rows.error()) << '\n';
      return 1;
    }
    table t{{"TYPE", "KEY", "NAME", "DUE (UTC)", "PERIOD", "FIRED", "POLICY"}};
    for (const auto& r : *rows) {
      t.add({shown(r.key.actor_type), shown(r.key.actor_key), shown(r.key.name),
             format_time(r.due),
             r.period.count() == 0 ? "once" : format_duration(r.period),
             std::to_string(r.fire_count)
               + (r.max_fires ? "/" + std::to_string(r.max_fires) : ""),
             to_string(r.policy)});
    }
    t.print(out);
    out << t.rows() << " reminder(s)\n";
    return 0;
  }
  reminder_key key{unescape(inv.words[0]), unescape(inv.words[1]),
                   unescape(inv.words[2])};
  if (inv.command == "show") {
    auto row = db.get(key);
    if (!row) {
      err << "horae-reminders: " << describe(row.error()) << '\n';
      return 1;
    }
    if (!*row) {
      err << "horae-reminders: no reminder " << shown(key) << '\n';
      return 1;
    }
    const auto& r = **row;
    table t{{"FIELD", "VALUE"}};
    t.add({"actor", shown(r.key.actor_type) + "/" + shown(r.key.actor_key)});
    t.add({"name", shown(r.key.name)});
    t.add({"due", format_time(r.due)});
    t.add({"anchor", format_time(r.anchor)});
    t.add(
      {"period", r.period.count() == 0 ? "once" : format_duration(r.period)});
    t.add({"fired", std::to_string(r.fire_count)});
    t.add(
      {"max fires", r.max_fires ? std::to_string(r.max_fires) : "unlimited"});
    t.add({"expires", r.expires ? format_time(*r.expires) : "never"});
    t.add({"policy", to_string(r.policy)});
    t.add({"payload", format_payload(r.payload)});
    t.add({"revision", std::to_string(r.revision)});
    t.add({"created", format_time(r.created)});
    t.add({"updated", format_time(r.updated)});
    t.print(out);
    return 0;
  }
  if (auto e = db.remove(key)) {
    err << "horae-reminders: " << describe(e) << '\n';
    return 1;
  }
  out << "deleted " << shown(key) << '\n';
  return 0;
}

} // namespace horae::admin
