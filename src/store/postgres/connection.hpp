#pragma once
// A thin RAII layer over one libpq connection: results, text-format parameters, prepared
// statements cached per connection, transaction control for the group-commit writer, and
// reconnection after the server went away. A Connection is used by one thread only.
//
// Reconnection: a connection that was lost (server restarted, network cut) is reopened lazily,
// on the next request, but no more often than a backoff allows (100 ms doubling to 2 s). While
// the server is down, requests therefore fail at once with STORE_UNAVAILABLE instead of each
// waiting for a connect timeout, and the database is not hammered with connection attempts.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/errors.hpp"

namespace cz::store::postgres {

// Throws StoreFailure for a failed result (or a null one) on `conn`.
[[noreturn]] void throw_pg_error(PGconn* conn, const PGresult* result, std::string_view what);

// The query result. Rows and columns are 0-based.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}
  PgResult(PgResult&&) = default;
  PgResult& operator=(PgResult&&) = default;

  int rows() const { return PQntuples(get()); }
  bool is_null(int row, int col) const { return PQgetisnull(get(), row, col) != 0; }
  std::string_view view(int row, int col) const {
    return {PQgetvalue(get(), row, col), static_cast<std::size_t>(PQgetlength(get(), row, col))};
  }
  std::string text(int row, int col) const { return std::string(view(row, col)); }
  std::int64_t integer(int row, int col) const;
  std::optional<std::int64_t> optional_integer(int row, int col) const {
    return is_null(row, col) ? std::nullopt : std::optional<std::int64_t>(integer(row, col));
  }
  bool boolean(int row, int col) const { return view(row, col) == "t"; }
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;
  PGresult* raw() const { return result_.get(); }

 private:
  PGresult* get() const { return result_.get(); }
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

// Parameters of one statement, in text format ($1 is the first added). Strings are referenced,
// not copied: they must outlive the call. Numbers are formatted into the Params itself.
class Params {
 public:
  // Throws StoreFailure (VALIDATION_ERROR) for text with a NUL character, which PostgreSQL text
  // cannot hold (it would otherwise be cut short silently).
  Params& add(const std::string& text);
  Params& add(const char* text) { return push(text); }
  Params& add(std::int64_t value);
  Params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  Params& add(bool value) { return push(value ? "t" : "f"); }
  Params& add_null() { return push(nullptr); }
  template <typename T>
  Params& add(const std::optional<T>& value) {
    return value ? add(*value) : add_null();
  }

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }

 private:
  Params& push(const char* value) {
    values_.push_back(value);
    return *this;
  }
  std::vector<const char*> values_;
  std::deque<std::string> owned_;  // a deque never moves its elements: c_str() stays valid
};

class Connection;

// A statement that writes many rows at once (Connection::defer_row): its parameters are one
// text[] array per column, element i of each being row i's value, and its answer's first column
// of its first row is the number of rows it applied.
struct RowsStatement {
  std::string sql;
  std::size_t columns;
};

// One value of a row for defer_row(); nullopt is SQL NULL.
using RowValue = std::optional<std::string_view>;

struct ConnectionOptions {
  std::string url;   // postgres://... (anything PQconnectdb accepts as dbname)
  std::string name;  // for logs: "writer", "reader 2"
  int connect_timeout_s = 5;
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
  // Read connections only: a statement run outside a transaction that fails because the
  // connection was lost is run once more on a new one. (Never for writes: a statement whose
  // answer was lost may have been applied.)
  bool retry_lost_reads = false;
  // Writer only: a transaction begun with begin() runs in libpq pipeline mode until something
  // needs a savepoint (see defer()).
  bool pipeline = false;
  // Called by begin() when the transaction cannot be begun because the server is unreachable
  // (STORE_UNAVAILABLE), with the failure and how long begin() has been trying: returns
  // whether to try again (after waiting as it sees fit) or to give up with that failure.
  std::function<bool(const StoreFailure&, std::chrono::steady_clock::duration)> retry_begin = {};
};

class Connection {
 public:
  // Connects at once; throws StoreFailure (STORE_UNAVAILABLE) when the server cannot be reached.
  explicit Connection(ConnectionOptions options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs SQL text without parameters (several statements allowed; used for schema work).
  PgResult exec(const char* sql);
  // Runs `sql` as a prepared statement (prepared on its first use on this connection).
  PgResult query(const std::string& sql, const Params& params = {});

  // Pipelining (libpq pipeline mode, options.pipeline): between begin() and commit(), a write
  // whose answer is almost always "done" is sent with defer() and not waited for; the batch's
  // answers are read together by settle(), one round trip for the whole batch instead of one
  // per write. `check` says whether the answer is the expected one; when an answer is an error
  // or not the expected one, settle() returns false and the batch runs again, rolled back, under
  // savepoints without pipelining (batch_runner.hpp), where each job sees its own answers.
  // can_defer() is false outside pipeline mode (after the first savepoint, for instance): the
  // caller then runs the statement with query() as usual. A query() or exec() in pipeline mode
  // first sends everything deferred, then waits for its own answer.
  using Check = std::function<bool(const PgResult&)>;
  bool can_defer() const { return pipelining_; }
  void defer(const std::string& sql, const Params& params, Check check);
  bool settle();
  // Pipelining, many rows per statement: consecutive defer_row() calls for one RowsStatement are
  // collected and sent as ONE statement (one array parameter per column) when anything else is
  // sent, or by settle(): a batch of messages costs PostgreSQL one statement instead of one per
  // message. Every row is expected to be applied; fewer (a retry of a stored client id, a wrong
  // room) fails settle() as an unexpected answer of defer() does. Throws StoreFailure
  // (VALIDATION_ERROR) for a value with a NUL character, as Params does.
  void defer_row(const RowsStatement& statement, std::span<const RowValue> values);
  // Runs `statement` for one row and waits for its answer (as query() does).
  PgResult query_row(const RowsStatement& statement, std::span<const RowValue> values);
  // Rows changed so far (INSERT/UPDATE/DELETE counts, note_changes(), and one for every failed
  // statement, which aborts the transaction); the group-commit writer runs a batch without
  // savepoints first and reruns it under savepoints when a failed job had changed something.
  std::uint64_t total_changes() const { return changes_; }
  // For statements whose command tag does not count their writes (SELECT over data-modifying
  // CTEs).
  void note_changes(std::int64_t n) { changes_ += static_cast<std::uint64_t>(n); }

  // Transaction control for the group-commit writer (store/group_commit_writer.hpp).
  // RELEASE is deferred and sent with the next SAVEPOINT (or dropped by COMMIT, which releases
  // everything): one round trip between two jobs instead of two. An error of the RELEASE then
  // surfaces on that next call, still inside the same transaction.
  void begin();
  void commit();
  void rollback() noexcept;
  void savepoint();
  void release_savepoint() { release_pending_ = true; }
  void rollback_to_savepoint();
  bool in_transaction() const;
  // What the writer reports for work lost with a transaction the server ended under us.
  Error lost_transaction_error() const;

  // Server, port and database, for messages (never the password).
  std::string describe() const;
  bool connected() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

 private:
  // Makes sure there is a live connection, reconnecting (within the backoff) when there is not.
  void ensure_connected();
  bool peer_hung_up();
  void connect_now();
  void drop(std::string_view why);
  [[noreturn]] void fail(const PGresult* result, std::string_view what);
  PgResult execute_prepared(const std::string& sql, const Params& params);
  // Wraps a successful result; throws StoreFailure (and frees it) otherwise.
  PgResult checked(PGresult* result, std::string_view what);
  const std::string& prepared_name(const std::string& sql);
  void begin_once();
  // Pipeline mode: sends the statement (preparing it first if needed) without waiting.
  void send_prepared(const std::string& sql, const Params& params);
  // Pipeline mode: sends a sync, reads every answer up to it, and returns the last statement's
  // result when `want_last` (throwing StoreFailure when that one failed). Failed or unexpected
  // answers of deferred statements set pipeline_failed_.
  std::optional<PgResult> sync_pipeline(bool want_last);
  // Leaves pipeline mode (reading what is outstanding first).
  void end_pipeline();
  // Pipeline mode: sends the rows collected by defer_row(), if any, as their statement.
  void send_rows();
  void count_changes(const PGresult* result);
  // Drops the connection after a failure to send or read in pipeline mode; throws
  // STORE_UNAVAILABLE.
  [[noreturn]] void broken_pipeline(std::string_view what);

  struct Pending {
    enum class Kind { Begin, Prepare, Deferred, Wanted } kind;
    Check check;      // Deferred
    std::string sql;  // Prepare: forgotten when it fails
  };

  ConnectionOptions options_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string last_error_;
  bool release_pending_ = false;
  bool pipelining_ = false;
  bool pipeline_next_ = true;     // false between a rollback() and the next commit()
  std::uint64_t statements_ = 0;  // prepared statement names
  bool pipeline_failed_ = false;
  std::deque<Pending> pending_;  // sent in pipeline mode, answers not read yet
  // Rows collected by defer_row() and not sent yet: each column's array literal without its
  // closing brace.
  struct CollectedRows {
    const RowsStatement* statement = nullptr;
    std::vector<std::string> arrays;
    std::int64_t count = 0;
  } rows_;
  std::uint64_t changes_ = 0;
  int failed_attempts_ = 0;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace cz::store::postgres
