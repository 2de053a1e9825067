#pragma once
// A thin RAII layer over one sqlite3 connection: opening with our pragmas, executing scripts,
// and prepared statements cached per connection. A Connection is used by one thread only
// (it is opened with SQLITE_OPEN_NOMUTEX).
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/errors.hpp"

namespace cz::store::sqlite {

class UnindexedMessages;

// How much an acknowledged commit survives (PRAGMA synchronous). See sqlite_store.hpp.
enum class Durability { Normal, Full };

struct ConnectionOptions {
  int busy_timeout_ms = 5000;
  Durability durability = Durability::Normal;
  bool read_only = false;  // readers: PRAGMA query_only, no schema work
  // `path` names a database in this process's memory (SQLite's memdb VFS, shared by every
  // connection that opens the same name): nothing reaches a disk, so nothing survives the process.
  bool in_memory = false;
};

// Throws StoreFailure built from the connection's last error.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, std::string_view what);

// A statement in use: bind parameters (1-based), step, read columns (0-based). On destruction it
// resets the statement, so a finished query never keeps a read snapshot (and a WAL checkpoint)
// waiting.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  Query& bind(int index, std::string_view text);
  Query& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Query& bind(int index, std::int64_t value);
  Query& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Query& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  Query& bind_null(int index);
  template <typename T>
  Query& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances to the next row: true when there is one, false when the statement is done.
  bool step();
  // Runs a statement that returns no rows (or whose rows do not matter).
  void run();

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::optional<std::int64_t> optional_integer(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::int64_t>(integer(col));
  }
  std::string text(int col) const;
  // Valid until the next step() or the end of the query.
  std::string_view view(int col) const;
  bool boolean(int col) const { return integer(col) != 0; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  Connection(const std::string& path, const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more SQL statements that return no rows.
  void exec(const char* sql);
  // A cached prepared statement for `sql` (prepared on first use on this connection).
  Query query(std::string_view sql);

  // Transaction control for the group-commit writer (store/group_commit_writer.hpp). BEGIN
  // IMMEDIATE takes the write lock up front, so a batch never fails half-way on lock upgrade.
  // With index_at_begin(), every transaction first stores the messages waiting there.
  void begin();
  void commit();
  void rollback() noexcept;
  // The writer's connection: see unindexed.hpp.
  void index_at_begin(UnindexedMessages* unindexed) { unindexed_ = unindexed; }
  void savepoint() { query("SAVEPOINT job").run(); }
  void release_savepoint() { query("RELEASE job").run(); }
  void rollback_to_savepoint() { query("ROLLBACK TO job").run(); }

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Rows inserted, updated or deleted so far (a failed statement's are undone and not counted).
  std::int64_t total_changes() const { return sqlite3_total_changes64(db_); }
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() const { return db_; }

 private:
  void close();

  struct Prepared {
    std::string sql;  // owns the text the cache key views
    sqlite3_stmt* stmt = nullptr;
  };
  sqlite3* db_ = nullptr;
  UnindexedMessages* unindexed_ = nullptr;
  std::unordered_map<std::string_view, std::unique_ptr<Prepared>> cache_;
};

}  // namespace cz::store::sqlite
