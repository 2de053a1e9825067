#include "store/postgres/connection.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

namespace cz::store::postgres {
namespace {

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// SQLSTATEs worth retrying: the server is going away or starting, out of connections or other
// resources, or a transaction lost a concurrency conflict.
bool is_transient(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return false;
  const std::string_view cls = sqlstate.substr(0, 2);
  return cls == "08" || cls == "53" || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03" || sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" ||
         sqlstate == "57014";
}

}  // namespace

void throw_pg_error(PGconn* conn, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(result ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = trimmed(conn ? PQerrorMessage(conn) : "no connection");
  const bool lost = conn == nullptr || PQstatus(conn) != CONNECTION_OK;
  const char* code = kStoreError;
  if (lost || (state && is_transient(state)))
    code = kStoreUnavailable;
  else if (state && std::string_view(state).substr(0, 2) == "22")
    code = kValidationError;  // data exception: bad input such as invalid UTF-8
  throw StoreFailure(make_error(code, fmt::format("PostgreSQL: {}: {}", what, message)));
}

std::int64_t PgResult::integer(int row, int col) const {
  const std::string_view v = view(row, col);
  std::int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(get());
  std::int64_t out = 0;
  if (n) std::from_chars(n, n + std::strlen(n), out);
  return out;
}

namespace {

void refuse_nul(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    throw StoreFailure(make_error(kValidationError, "text must not contain NUL characters"));
  }
}

// Appends `value` as an element of a PostgreSQL array literal: double-quoted, with `"` and `\`
// escaped (so no element is ever read as NULL or split by a comma or a brace).
void append_array_element(std::string& array, const RowValue& value) {
  if (!value) {
    array += "NULL";
    return;
  }
  array += '"';
  for (char c : *value) {
    if (c == '"' || c == '\\') array += '\\';
    array += c;
  }
  array += '"';
}

// Appends one row to the open array literals of a RowsStatement, after checking its width and
// its text (PostgreSQL text cannot hold NUL).
void append_row(std::vector<std::string>& arrays, bool first, std::span<const RowValue> values) {
  if (values.size() != arrays.size()) {
    throw StoreFailure(make_error(kStoreError, "PostgreSQL: a row of the wrong width"));
  }
  for (const RowValue& value : values) {
    if (value) refuse_nul(*value);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!first) arrays[i] += ',';
    append_array_element(arrays[i], values[i]);
  }
}

// Closes the array literals and makes them the statement's parameters (they must outlive it).
Params array_params(std::vector<std::string>& arrays) {
  Params params;
  for (std::string& array : arrays) {
    array += '}';
    params.add(array);
  }
  return params;
}

}  // namespace

Params& Params::add(const std::string& text) {
  refuse_nul(text);
  return push(text.c_str());
}

Params& Params::add(std::int64_t value) {
  owned_.push_back(std::to_string(value));
  return push(owned_.back().c_str());
}

Connection::Connection(ConnectionOptions options) : options_(std::move(options)) {
  backoff_ = options_.min_backoff;
  connect_now();
  if (!connected()) {
    const std::string why = last_error_;
    drop(why);
    throw StoreFailure(make_error(kStoreUnavailable, "cannot connect to PostgreSQL: " + why));
  }
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

void Connection::connect_now() {
  if (conn_) PQfinish(conn_);
  prepared_.clear();
  pending_.clear();
  rows_ = {};
  pipelining_ = false;
  const std::string timeout = std::to_string(options_.connect_timeout_s);
  // Keywords are applied in order: the URL (expanded from dbname) may override the defaults
  // before it, never the ones after it. Keepalives notice a peer that vanished without a FIN.
  const char* keys[] = {"connect_timeout",  "keepalives_idle", "keepalives_interval",
                        "application_name", "dbname",          nullptr};
  const char* values[] = {timeout.c_str(),      "30",   "10", "cz-messenger",
                          options_.url.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn_) {
    last_error_ = "out of memory";
    return;
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    last_error_ = trimmed(PQerrorMessage(conn_));
    return;
  }
  // Our own messages carry everything useful; the server's NOTICEs (e.g. "relation already
  // exists, skipping") would only be noise on stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

void Connection::drop(std::string_view why) {
  if (conn_) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  prepared_.clear();
  pending_.clear();
  rows_ = {};
  pipelining_ = false;
  last_error_ = std::string(why);
}

// An idle connection whose socket is readable has been told something by the server; we never
// LISTEN, so when idle that is only ever a goodbye (shutdown, terminated backend) and EOF. libpq
// may not have seen the EOF yet (it takes the goodbye for a notice), so readable means gone.
bool Connection::peer_hung_up() {
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
  pollfd p{PQsocket(conn_), POLLIN, 0};
  if (p.fd < 0) return true;
  if (::poll(&p, 1, 0) <= 0) return false;
  PQconsumeInput(conn_);  // keeps the server's message for the log line
  return true;
}

void Connection::ensure_connected() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) {
    if (!peer_hung_up()) return;
    const std::string why = trimmed(PQerrorMessage(conn_));
    spdlog::warn("store ({}): PostgreSQL connection lost: {}; reconnecting", options_.name,
                 why.empty() ? "server closed the connection" : why);
    drop(why.empty() ? "server closed the connection" : why);
    failed_attempts_ = 0;
    backoff_ = options_.min_backoff;
    next_attempt_ = {};
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    throw StoreFailure(make_error(kStoreUnavailable, "PostgreSQL unavailable: " + last_error_));
  }
  connect_now();
  if (connected()) {
    if (failed_attempts_ > 0) {
      spdlog::info("store ({}): reconnected to PostgreSQL {} after {} failed attempt(s)",
                   options_.name, describe(), failed_attempts_);
    }
    failed_attempts_ = 0;
    backoff_ = options_.min_backoff;
    return;
  }
  const std::string why = last_error_;
  drop(why);
  ++failed_attempts_;
  // First failure, then every tenth: enough to see an outage in the logs without a flood.
  if (failed_attempts_ == 1 || failed_attempts_ % 10 == 0) {
    // Reconnection is lazy: the next request after the backoff tries again.
    spdlog::warn(
        "store ({}): cannot reconnect to PostgreSQL (attempt {}; the next request "
        "after {} ms tries again): {}",
        options_.name, failed_attempts_, backoff_.count(), why);
  }
  next_attempt_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  throw StoreFailure(make_error(kStoreUnavailable, "PostgreSQL unavailable: " + why));
}

void Connection::fail(const PGresult* result, std::string_view what) {
  try {
    throw_pg_error(conn_, result, what);
  } catch (const StoreFailure& failure) {
    if (conn_ && PQstatus(conn_) != CONNECTION_OK) {
      spdlog::warn("store ({}): PostgreSQL connection lost: {}", options_.name,
                   failure.error().message);
      drop(failure.error().message);
      failed_attempts_ = 0;
      backoff_ = options_.min_backoff;
      next_attempt_ = {};
    }
    throw;
  }
}

PgResult Connection::checked(PGresult* result, std::string_view what) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    count_changes(result);
    return PgResult(result);
  }
  ++changes_;  // a failed statement aborts the transaction: whatever it held must be undone
  PgResult owner(result);  // frees it however fail() leaves
  fail(result, what);
}

void Connection::count_changes(const PGresult* result) {
  const std::string_view tag = PQcmdStatus(const_cast<PGresult*>(result));
  if (tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") ||
      tag.starts_with("MERGE")) {
    const char* n = PQcmdTuples(const_cast<PGresult*>(result));
    std::uint64_t rows = 0;
    if (n) std::from_chars(n, n + std::strlen(n), rows);
    changes_ += rows;
  }
}

PgResult Connection::exec(const char* sql) {
  end_pipeline();  // several statements per string, and SAVEPOINTs, are not pipelined
  ensure_connected();
  return checked(PQexec(conn_, sql), "query failed");
}

const std::string& Connection::prepared_name(const std::string& sql) {
  auto found = prepared_.find(sql);
  if (found != prepared_.end()) return found->second;
  std::string name = "cz" + std::to_string(++statements_);
  checked(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), "prepare failed");
  return prepared_.emplace(sql, std::move(name)).first->second;
}

PgResult Connection::query(const std::string& sql, const Params& params) {
  if (pipelining_) {
    send_rows();
    send_prepared(sql, params);
    pending_.push_back({Pending::Kind::Wanted, {}, {}});
    return *sync_pipeline(/*want_last=*/true);
  }
  ensure_connected();
  const bool may_retry = options_.retry_lost_reads && !in_transaction();
  try {
    return execute_prepared(sql, params);
  } catch (const StoreFailure&) {
    // A read outside a transaction that lost its connection (the server restarted while this
    // connection sat idle) is safe to run again, once, on a new connection.
    if (!may_retry || conn_ != nullptr) throw;
  }
  ensure_connected();
  return execute_prepared(sql, params);
}

PgResult Connection::execute_prepared(const std::string& sql, const Params& params) {
  const std::string& name = prepared_name(sql);
  return checked(PQexecPrepared(conn_, name.c_str(), params.size(), params.values(), nullptr,
                                nullptr, /*resultFormat=*/0),
                 "query failed");
}

void Connection::begin() {
  release_pending_ = false;
  pipeline_failed_ = false;
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    try {
      return begin_once();
    } catch (const StoreFailure& failure) {
      // Only while the server cannot be reached; an answered error is not waited out.
      if (failure.error().code != kStoreUnavailable || !options_.retry_begin || connected()) throw;
      if (!options_.retry_begin(failure, std::chrono::steady_clock::now() - started)) throw;
    }
  }
}

void Connection::begin_once() {
  ensure_connected();
  // A batch that runs again (after rollback()) runs under savepoints: not pipelined.
  if (!options_.pipeline || !pipeline_next_) {
    exec("BEGIN");
    return;
  }
  if (PQenterPipelineMode(conn_) != 1) broken_pipeline("cannot enter pipeline mode");
  pipelining_ = true;
  if (PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
    broken_pipeline("cannot send BEGIN");
  }
  pending_.push_back({Pending::Kind::Begin, {}, {}});
}

void Connection::defer(const std::string& sql, const Params& params, Check check) {
  send_rows();
  send_prepared(sql, params);
  pending_.push_back({Pending::Kind::Deferred, std::move(check), {}});
}

void Connection::defer_row(const RowsStatement& statement, std::span<const RowValue> values) {
  if (rows_.statement != &statement) {
    send_rows();
    rows_.statement = &statement;
    rows_.arrays.assign(statement.columns, "{");
  }
  append_row(rows_.arrays, rows_.count == 0, values);
  ++rows_.count;
}

PgResult Connection::query_row(const RowsStatement& statement, std::span<const RowValue> values) {
  std::vector<std::string> arrays(statement.columns, "{");
  append_row(arrays, /*first=*/true, values);
  return query(statement.sql, array_params(arrays));
}

void Connection::send_rows() {
  if (rows_.count == 0) return;
  send_prepared(rows_.statement->sql, array_params(rows_.arrays));
  const std::int64_t expected = rows_.count;
  pending_.push_back(
      {Pending::Kind::Deferred,
       [expected](const PgResult& r) { return r.rows() == 1 && r.integer(0, 0) == expected; },
       {}});
  rows_ = {};
}

bool Connection::settle() {
  try {
    end_pipeline();
  } catch (const StoreFailure&) {
    return false;  // the connection is gone (dropped): in_transaction() is false now
  }
  return !std::exchange(pipeline_failed_, false);
}

void Connection::send_prepared(const std::string& sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "cz" + std::to_string(++statements_);
    if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
      broken_pipeline("cannot send a statement");
    }
    pending_.push_back({Pending::Kind::Prepare, {}, sql});
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  if (PQsendQueryPrepared(conn_, found->second.c_str(), params.size(), params.values(), nullptr,
                          nullptr, /*resultFormat=*/0) != 1) {
    broken_pipeline("cannot send a statement");
  }
}

std::optional<PgResult> Connection::sync_pipeline(bool want_last) {
  if (PQpipelineSync(conn_) != 1) broken_pipeline("cannot send a pipeline sync");
  std::optional<PgResult> last;
  std::optional<PgResult> last_failed;
  while (!pending_.empty()) {
    Pending item = std::move(pending_.front());
    pending_.pop_front();
    PGresult* raw = PQgetResult(conn_);
    if (!raw) broken_pipeline("an answer is missing");
    PgResult result(raw);
    // Each statement's answers end with a null result.
    if (PGresult* extra = PQgetResult(conn_)) {
      PQclear(extra);
      broken_pipeline("a statement gave more than one answer");
    }
    const ExecStatusType status = PQresultStatus(raw);
    const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (ok)
      count_changes(raw);
    else
      ++changes_;
    switch (item.kind) {
      case Pending::Kind::Prepare:
        if (!ok) prepared_.erase(item.sql);
        [[fallthrough]];
      case Pending::Kind::Begin:
        if (!ok) pipeline_failed_ = true;
        break;
      case Pending::Kind::Deferred:
        if (!ok || !item.check(result)) pipeline_failed_ = true;
        break;
      case Pending::Kind::Wanted:
        if (ok)
          last = std::move(result);
        else
          last_failed = std::move(result);
        break;
    }
  }
  PGresult* sync = PQgetResult(conn_);
  const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  if (sync) PQclear(sync);
  if (!synced || !connected()) broken_pipeline("the pipeline did not end as sent");
  if (want_last && !last) {
    if (last_failed && PQresultStatus(last_failed->raw()) == PGRES_PIPELINE_ABORTED) {
      throw StoreFailure(make_error(
          kStoreError, "PostgreSQL: not run: an earlier statement of the transaction failed"));
    }
    fail(last_failed ? last_failed->raw() : nullptr, "query failed");
  }
  return last;
}

void Connection::end_pipeline() {
  if (!pipelining_) return;
  send_rows();
  if (!pending_.empty()) sync_pipeline(/*want_last=*/false);
  if (PQexitPipelineMode(conn_) != 1) broken_pipeline("cannot leave pipeline mode");
  pipelining_ = false;
}

void Connection::broken_pipeline(std::string_view what) {
  ++changes_;
  const std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "no connection";
  spdlog::warn("store ({}): PostgreSQL pipeline broken ({}): {}; reconnecting", options_.name, what,
               why);
  drop(why);
  failed_attempts_ = 0;
  backoff_ = options_.min_backoff;
  next_attempt_ = {};
  throw StoreFailure(
      make_error(kStoreUnavailable, fmt::format("PostgreSQL connection lost: {}: {}", what, why)));
}

void Connection::savepoint() {
  const bool release = std::exchange(release_pending_, false);
  exec(release ? "RELEASE SAVEPOINT job; SAVEPOINT job" : "SAVEPOINT job");
}

void Connection::rollback_to_savepoint() {
  release_pending_ = false;
  exec("ROLLBACK TO SAVEPOINT job");
}

void Connection::commit() {
  release_pending_ = false;
  end_pipeline();
  // A deferred write whose answer was not the expected one: its job would report what did not
  // happen. (The writer settles first and reruns such a batch; this is the safety net.)
  if (std::exchange(pipeline_failed_, false)) {
    rollback();
    throw StoreFailure(make_error(kStoreError, "PostgreSQL: a pipelined write failed"));
  }
  // COMMIT of a transaction that an error aborted "succeeds" as a ROLLBACK: refuse to call that a
  // commit. (Jobs run under savepoints, so this should not happen; it must not go unnoticed.)
  if (conn_ && PQtransactionStatus(conn_) == PQTRANS_INERROR) {
    rollback();
    throw StoreFailure(make_error(kStoreError, "PostgreSQL: transaction was aborted"));
  }
  PgResult result = exec("COMMIT");
  (void)result;
  pipeline_next_ = true;
}

void Connection::rollback() noexcept {
  release_pending_ = false;
  pipeline_failed_ = false;
  pipeline_next_ = false;  // the batch is run again under savepoints
  rows_ = {};              // never sent: nothing to undo
  if (pipelining_) {
    try {
      end_pipeline();
    } catch (const StoreFailure&) {
      return;  // dropped: the server rolls the transaction back
    }
  }
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return;
  PGresult* r = PQexec(conn_, "ROLLBACK");
  if (r) PQclear(r);
}

bool Connection::in_transaction() const {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return false;
  const PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

Error Connection::lost_transaction_error() const {
  return make_error(kStoreUnavailable,
                    "PostgreSQL connection lost during the transaction: " + last_error_);
}

std::string Connection::describe() const {
  if (!conn_) return "(not connected)";
  return fmt::format("{}:{}/{}", PQhost(conn_), PQport(conn_), PQdb(conn_));
}

}  // namespace cz::store::postgres
