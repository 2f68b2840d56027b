// Connecting, reconnecting, running statements with bounded waits, and
// mapping libpq failures onto horae errors.
#include "postgres/pg_session.hpp"

#include <algorithm>
#include <cerrno>
#include <thread>

#include <horae/core/error.hpp>

#include <poll.h>

namespace horae::detail {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// Extra time the client grants the server beyond its own statement
/// timeout before it gives the connection up as dead (a frozen server or a
/// black-holed network never answers at all).
constexpr milliseconds answer_grace{5000};

/// libpq's connection-time messages for failures that a retry cannot fix.
/// They come from the server's (or libpq's) English texts; a translated
/// message is retried until the start-up wait ends, which is slower but
/// still correct.
bool is_permanent_connect_error(const std::string& msg) {
  for (auto needle :
       {"authentication failed", "no password supplied", "does not exist",
        "no pg_hba.conf entry", "invalid connection option", "invalid URI",
        "invalid sslmode", "password is required"})
    if (msg.find(needle) != std::string::npos)
      return true;
  return false;
}

std::string trimmed(const char* msg) {
  std::string str = msg != nullptr ? msg : "";
  while (!str.empty() && (str.back() == '\n' || str.back() == ' '))
    str.pop_back();
  // libpq puts one line per tried address; keep them on one line.
  std::replace(str.begin(), str.end(), '\n', ' ');
  return str;
}

/// Statements are prepared under short names; the address-keyed cache maps
/// each statement text to its name on the current connection.
std::string statement_name(size_t index) {
  return "horae_" + std::to_string(index);
}

} // namespace

// -- constructors, destructors, and assignment operators ----------------------

pg_session::pg_session(const postgres_store_options& opts)
  : opts_(opts), server_(describe_postgres_target(opts.conninfo)),
    pause_(opts.reconnect_delay) {
  // nop
}

pg_session::~pg_session() {
  disconnect();
}

// -- connection ---------------------------------------------------------------

bool pg_session::connected() const noexcept {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void pg_session::disconnect() noexcept {
  if (conn_ != nullptr)
    PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
}

caf::error pg_session::connect_once(bool& permanent) {
  disconnect();
  // Defaults first: with expand_dbname, settings in the user's connection
  // string (the last entry) win over them.
  auto timeout_s = std::max<long long>(
    2, std::chrono::ceil<std::chrono::seconds>(opts_.connect_timeout).count());
  auto timeout_str = std::to_string(timeout_s);
  const char* keys[] = {"connect_timeout",
                        "fallback_application_name",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "dbname",
                        nullptr};
  const char* values[] = {timeout_str.c_str(),    "horae", "1", "10", "5", "3",
                          opts_.conninfo.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) {
    permanent = false;
    return failure("connecting failed: out of memory");
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    auto msg = trimmed(PQerrorMessage(conn_));
    permanent = is_permanent_connect_error(msg);
    disconnect();
    return failure("connecting failed: " + msg);
  }
  permanent = false;
  // Non-blocking: a batch is sent as one pipeline while the results are
  // read, and neither side may wait for the other with full buffers.
  if (PQsetnonblocking(conn_, 1) != 0) {
    auto err = error(nullptr, "switching to non-blocking mode");
    disconnect();
    return err;
  }
  auto setup = "SET statement_timeout = "
               + std::to_string(opts_.statement_timeout.count());
  if (auto err = run(setup.c_str(), "setting the statement timeout")) {
    disconnect();
    return err;
  }
  return caf::none;
}

caf::error pg_session::ensure_connected() {
  if (connected())
    return caf::none;
  auto now = steady_clock::now();
  if (now < retry_at_ && last_connect_error_)
    return last_connect_error_;
  bool permanent = false;
  auto err = connect_once(permanent);
  if (!err) {
    pause_ = opts_.reconnect_delay;
    last_connect_error_ = caf::none;
    return caf::none;
  }
  retry_at_ = now + pause_;
  pause_ = std::min(pause_ * 2, opts_.max_reconnect_delay);
  last_connect_error_ = err;
  return err;
}

caf::error pg_session::connect_waiting(milliseconds wait) {
  auto deadline = steady_clock::now() + wait;
  auto pause = opts_.reconnect_delay;
  for (;;) {
    bool permanent = false;
    auto err = connect_once(permanent);
    auto now = steady_clock::now();
    if (!err || permanent || now >= deadline)
      return err;
    std::this_thread::sleep_for(
      std::min<steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, opts_.max_reconnect_delay);
  }
}

// -- statements ---------------------------------------------------------------

caf::error pg_session::await_input(const char* what) {
  timed_out_ = false;
  auto limited = opts_.statement_timeout.count() > 0;
  auto deadline = steady_clock::now() + opts_.statement_timeout + answer_grace;
  for (;;) {
    // Send what is still buffered (a long pipeline), and read what the
    // server answers meanwhile so that it never stalls on a full socket.
    auto flushed = PQflush(conn_);
    if (flushed < 0)
      return error(nullptr, what);
    if (flushed == 0 && PQisBusy(conn_) == 0)
      return caf::none;
    pollfd pfd{PQsocket(conn_),
               static_cast<short>(POLLIN | (flushed == 1 ? POLLOUT : 0)), 0};
    int timeout_ms = -1;
    if (limited) {
      auto left = std::chrono::duration_cast<milliseconds>(
        deadline - steady_clock::now());
      timeout_ms = static_cast<int>(std::max<long long>(0, left.count()));
    }
    auto rc = ::poll(&pfd, 1, timeout_ms);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc == 0) {
      timed_out_ = true;
      disconnect();
      return failure(std::string{what} + " failed: the server did not answer "
                     + "within the statement timeout; the connection was "
                       "dropped and will be opened again");
    }
    if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0
        && PQconsumeInput(conn_) == 0)
      return error(nullptr, what);
  }
}

caf::expected<pg_result> pg_session::collect(const char* what) {
  pg_result result;
  caf::error err;
  // Every result up to the end marker must be read before the next query;
  // the first error wins, the first data result is kept.
  for (;;) {
    if (auto wait_err = await_input(what))
      return wait_err;
    pg_result res{PQgetResult(conn_)};
    if (res.get() == nullptr)
      break;
    auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      if (!err)
        err = error(res.get(), what);
    } else if (result.get() == nullptr) {
      result = std::move(res);
    }
  }
  if (err)
    return err;
  return result;
}

caf::error pg_session::prepare(const char* sql, const pg_params& shape) {
  if (prepared_.count(sql) != 0)
    return caf::none;
  auto name = statement_name(prepared_.size());
  if (PQsendPrepare(conn_, name.c_str(), sql, shape.size(), shape.types()) == 0)
    return error(nullptr, "preparing a statement");
  auto res = collect("preparing a statement");
  if (!res)
    return std::move(res.error());
  prepared_.emplace(sql, std::move(name));
  return caf::none;
}

caf::expected<pg_result>
pg_session::exec(const char* sql, const pg_params& params, const char* what) {
  if (auto err = ensure_connected())
    return err;
  if (auto err = prepare(sql, params))
    return err;
  if (PQsendQueryPrepared(conn_, prepared_name(sql).c_str(), params.size(),
                          params.values(), params.lengths(), params.formats(),
                          1)
      == 0)
    return error(nullptr, what);
  return collect(what);
}

caf::error pg_session::run(const char* sql, const char* what) {
  if (conn_ == nullptr)
    if (auto err = ensure_connected())
      return err;
  if (PQsendQuery(conn_, sql) == 0)
    return error(nullptr, what);
  auto res = collect(what);
  return res ? caf::none : std::move(res.error());
}

// -- errors -------------------------------------------------------------------

caf::error pg_session::error(const PGresult* res, const char* what) const {
  std::string msg = std::string{what} + " failed: ";
  const char* state = nullptr;
  if (res != nullptr) {
    msg += trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  } else {
    msg += trimmed(conn_ != nullptr ? PQerrorMessage(conn_)
                                    : "no connection to the server");
  }
  auto code = errc::storage_failure;
  if (state != nullptr) {
    std::string sqlstate = state;
    msg += " (SQLSTATE " + sqlstate + ")";
    // Class XX is the server's own damage (data_corrupted, index_corrupted):
    // a retry does not fix it. Everything else (lost connection, timeout,
    // full disk, a lock, a restart) can pass.
    if (sqlstate == "XX001" || sqlstate == "XX002")
      code = errc::storage_corrupt;
    else if (sqlstate == "53100")
      msg += "; the server's disk is full";
    else if (sqlstate == "57014")
      msg += "; the statement ran into the statement timeout";
  }
  if (!connected())
    msg += "; the connection is lost and will be opened again";
  return make_error(code, "postgresql store " + server_ + ": " + msg);
}

caf::error pg_session::failure(const std::string& what) const {
  return make_error(errc::storage_failure,
                    "postgresql store " + server_ + ": " + what);
}

} // namespace horae::detail
