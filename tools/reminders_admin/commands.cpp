// The commands against a reminder database, with readable or JSON output.
#include "commands.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <horae/core/config/duration_text.hpp>
#include <horae/core/error.hpp>
#include <horae/core/names.hpp>
#include <horae/journaling/postgres_store.hpp>
#include <horae/journaling/sqlite_store.hpp>

#include "json_records.hpp"
#include "table.hpp"

namespace horae::admin {

namespace {

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

/// A grid reminder's period ("once" for a one-shot), or a cron reminder's
/// expression and time zone.
std::string schedule_of(const reminder_record& r) {
  if (!r.cron.empty())
    return shown(r.cron) + " (" + shown(r.time_zone) + ")";
  return r.period.count() == 0 ? "once" : format_duration(r.period);
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
  auto report_invalid = [&err](const reminder_key&, const caf::error& e) {
    err << "horae-reminders: skipped " << describe(e) << '\n';
  };
  if (is_postgres_target(path)) {
    postgres_store_options opts;
    opts.conninfo = path;
    opts.read_only = !writable;
    opts.must_exist = true;
    // An admin tool answers at once: a server that is down is an error,
    // not something to wait for.
    opts.startup_wait = std::chrono::milliseconds{0};
    opts.on_invalid_row = report_invalid;
    return open_postgres_store(std::move(opts));
  }
  // Never create a database by accident: a typo in --db is an error.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(errc::not_found,
                      "no database at " + path + " (check --db)");
  sqlite_store_options opts;
  opts.path = path;
  opts.read_only = !writable;
  opts.must_exist = true;
  opts.on_invalid_row = report_invalid;
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

clock::wall_time now_wall() {
  return std::chrono::time_point_cast<clock::duration>(
    std::chrono::system_clock::now());
}

int fail(std::ostream& err, const caf::error& e) {
  err << "horae-reminders: " << describe(e) << '\n';
  return 1;
}

int list(reminder_store& db, const invocation& inv, std::ostream& out,
         std::ostream& err) {
  caf::expected<std::vector<reminder_record>> rows{
    std::vector<reminder_record>{}};
  if (inv.overdue)
    rows = db.due_before(now_wall() + clock::duration{1}, inv.limit);
  else if (inv.words.size() == 2)
    rows = db.list(unescape(inv.words[0]), unescape(inv.words[1]));
  else if (inv.words.size() == 1)
    rows = list_type(db, unescape(inv.words[0]), inv.limit);
  else
    rows = db.list_all(inv.limit, 0);
  if (!rows)
    return fail(err, rows.error());
  if (inv.overdue && !inv.words.empty()) {
    // --overdue with a type (and key): the due-ordered rows, filtered.
    auto type = unescape(inv.words[0]);
    auto key = inv.words.size() == 2 ? unescape(inv.words[1]) : std::string{};
    rows->erase(std::remove_if(rows->begin(), rows->end(),
                               [&](const reminder_record& r) {
                                 return r.key.actor_type != type
                                        || (!key.empty()
                                            && r.key.actor_key != key);
                               }),
                rows->end());
  }
  if (inv.format == "json") {
    auto all = nlohmann::json::array();
    for (const auto& r : *rows)
      all.push_back(to_json(r));
    out << all.dump(2) << '\n';
    return 0;
  }
  table t{{"TYPE", "KEY", "NAME", "DUE (UTC)", "SCHEDULE", "FIRED", "POLICY"}};
  for (const auto& r : *rows) {
    t.add({shown(r.key.actor_type), shown(r.key.actor_key), shown(r.key.name),
           format_time(r.due), schedule_of(r),
           std::to_string(r.fire_count)
             + (r.max_fires ? "/" + std::to_string(r.max_fires) : ""),
           to_string(r.policy)});
  }
  t.print(out);
  out << t.rows() << " reminder(s)\n";
  return 0;
}

/// Calls `fn` for every stored reminder, a page at a time.
template <class F>
caf::error each_reminder(reminder_store& db, F fn) {
  constexpr size_t page = 1000;
  for (size_t offset = 0;; offset += page) {
    auto rows = db.list_all(page, offset);
    if (!rows)
      return std::move(rows.error());
    for (const auto& r : *rows)
      fn(r);
    if (rows->size() < page)
      return caf::none;
  }
}

int stats(reminder_store& db, const invocation& inv, std::ostream& out,
          std::ostream& err) {
  struct type_stats {
    uint64_t reminders = 0;
    uint64_t overdue = 0;
    std::optional<clock::wall_time> next_due;
  };
  std::map<std::string, type_stats> by_type;
  auto now = now_wall();
  auto e = each_reminder(db, [&](const reminder_record& r) {
    auto& s = by_type[r.key.actor_type];
    ++s.reminders;
    if (r.due <= now)
      ++s.overdue;
    if (!s.next_due || r.due < *s.next_due)
      s.next_due = r.due;
  });
  if (e)
    return fail(err, e);
  type_stats total;
  for (const auto& [type, s] : by_type) {
    total.reminders += s.reminders;
    total.overdue += s.overdue;
    if (s.next_due && (!total.next_due || *s.next_due < *total.next_due))
      total.next_due = s.next_due;
  }
  auto due_text = [](const type_stats& s) {
    return s.next_due ? format_time(*s.next_due) : std::string{"-"};
  };
  if (inv.format == "json") {
    nlohmann::json x;
    x["reminders"] = total.reminders;
    x["overdue"] = total.overdue;
    x["next_due"] = total.next_due ? nlohmann::json(due_text(total))
                                   : nlohmann::json(nullptr);
    x["types"] = nlohmann::json::object();
    for (const auto& [type, s] : by_type)
      x["types"][type] = {{"reminders", s.reminders},
                          {"overdue", s.overdue},
                          {"next_due", due_text(s)}};
    out << x.dump(2) << '\n';
    return 0;
  }
  table t{{"TYPE", "REMINDERS", "OVERDUE", "NEXT DUE (UTC)"}};
  for (const auto& [type, s] : by_type)
    t.add({shown(type), std::to_string(s.reminders), std::to_string(s.overdue),
           due_text(s)});
  t.add({"(all)", std::to_string(total.reminders),
         std::to_string(total.overdue), due_text(total)});
  t.print(out);
  return 0;
}

int export_all(reminder_store& db, const invocation& inv, std::ostream& out,
               std::ostream& err) {
  auto all = nlohmann::json::array();
  if (auto e = each_reminder(
        db, [&](const reminder_record& r) { all.push_back(to_json(r)); }))
    return fail(err, e);
  if (inv.file.empty() || inv.file == "-") {
    out << all.dump(2) << '\n';
    return 0;
  }
  std::ofstream file{inv.file, std::ios::trunc};
  file << all.dump(2) << '\n';
  file.close();
  if (!file) {
    err << "horae-reminders: cannot write " << inv.file << '\n';
    return 1;
  }
  out << "exported " << all.size() << " reminder(s) to " << inv.file << '\n';
  return 0;
}

int import_file(reminder_store& db, const invocation& inv, std::ostream& out,
                std::ostream& err) {
  std::ifstream file{inv.file};
  if (!file) {
    err << "horae-reminders: cannot read " << inv.file << '\n';
    return 1;
  }
  nlohmann::json all;
  try {
    file >> all;
  } catch (const nlohmann::json::exception& e) {
    err << "horae-reminders: " << inv.file << " is not JSON: " << e.what()
        << '\n';
    return 1;
  }
  if (!all.is_array()) {
    err << "horae-reminders: " << inv.file
        << " must hold an array of reminders, as export writes\n";
    return 1;
  }
  // Check every entry before writing any: a bad file changes nothing.
  std::vector<reminder_record> records;
  for (size_t i = 0; i < all.size(); ++i) {
    auto rec = record_from_json(all[i]);
    auto problem = rec ? validate(*rec) : rec.error();
    if (problem) {
      err << "horae-reminders: " << inv.file << ": entry " << i + 1 << ": "
          << describe(problem) << '\n';
      return 1;
    }
    records.push_back(std::move(*rec));
  }
  size_t written = 0;
  size_t kept = 0;
  for (auto& rec : records) {
    auto key = rec.key;
    auto stored = db.upsert(std::move(rec), !inv.keep_existing);
    if (!stored && code_of(stored.error()) == errc::already_exists) {
      ++kept;
      continue;
    }
    if (!stored) {
      err << "horae-reminders: " << shown(key) << ": "
          << describe(stored.error()) << " (" << written
          << " reminder(s) imported before it)\n";
      return 1;
    }
    ++written;
  }
  out << "imported " << written << " reminder(s)";
  if (kept > 0)
    out << ", kept " << kept << " existing";
  out << '\n';
  return 0;
}

} // namespace

int run(const invocation& inv, std::ostream& out, std::ostream& err) {
  if ((inv.command == "check" || inv.command == "backup")
      && is_postgres_target(inv.db)) {
    // PostgreSQL checks and backs up its own databases (amcheck, pg_dump).
    err << "horae-reminders: " << inv.command
        << " works on SQLite files; for a PostgreSQL store use the server's "
           "tools (pg_dump for a backup, amcheck for a check)\n";
    return 2;
  }
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
    if (auto e = backup_sqlite_store(inv.db, inv.file)) {
      err << "horae-reminders: " << describe(e) << '\n';
      return 1;
    }
    out << "backed up " << inv.db << " to " << inv.file << '\n';
    return 0;
  }
  auto store
    = open(inv.db, inv.command == "delete" || inv.command == "import", err);
  if (!store) {
    err << "horae-reminders: " << describe(store.error()) << '\n';
    return 1;
  }
  auto& db = **store;
  if (inv.command == "list")
    return list(db, inv, out, err);
  if (inv.command == "stats")
    return stats(db, inv, out, err);
  if (inv.command == "export")
    return export_all(db, inv, out, err);
  if (inv.command == "import")
    return import_file(db, inv, out, err);
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
    if (inv.format == "json") {
      out << to_json(r).dump(2) << '\n';
      return 0;
    }
    table t{{"FIELD", "VALUE"}};
    t.add({"actor", shown(r.key.actor_type) + "/" + shown(r.key.actor_key)});
    t.add({"name", shown(r.key.name)});
    t.add({"due", format_time(r.due)});
    t.add({"anchor", format_time(r.anchor)});
    if (r.cron.empty()) {
      t.add({"period", schedule_of(r)});
    } else {
      t.add({"cron", shown(r.cron)});
      t.add({"time zone", shown(r.time_zone)});
    }
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
