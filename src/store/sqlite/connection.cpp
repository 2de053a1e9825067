#include "store/sqlite/connection.hpp"

#include <fmt/format.h>

#include <mutex>

#include "store/sqlite/frame_merging_vfs.hpp"
#include "store/sqlite/unindexed.hpp"

namespace cz::store::sqlite {
namespace {

// Process-wide settings, before SQLite's first use: without memory statistics its allocator
// takes no global mutex per allocation (a few % of the writer's CPU per message).
void configure_library() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

bool is_retryable(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

void throw_sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const char* code = is_retryable(rc) ? kStoreUnavailable : kStoreError;
  throw StoreFailure(make_error(code, fmt::format("sqlite {}: {} ({})", what, detail, rc)));
}

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT copies: callers may bind temporaries that die before step().
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "bind");
  return *this;
}

Query& Query::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "bind");
  return *this;
}

Query& Query::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "bind");
  return *this;
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, rc, "step");
}

void Query::run() {
  while (step()) {
  }
}

std::string Query::text(int col) const {
  return std::string(view(col));
}

std::string_view Query::view(int col) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int size = sqlite3_column_bytes(stmt_, col);
  return data ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

Connection::Connection(const std::string& path, const ConnectionOptions& options) {
  configure_library();
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.read_only ? 0 : SQLITE_OPEN_CREATE);
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_, flags, options.in_memory ? "memdb" : frame_merging_vfs());
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreFailure(make_error(
        kStoreUnavailable, fmt::format("cannot open sqlite database {}: {}", path, message)));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  try {
    // foreign_keys and synchronous are per connection; journal_mode=WAL is stored in the file.
    exec("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;");
    if (options.in_memory) {
      // memdb has no WAL; the rollback journal stays in memory too (its default would be a file).
      exec(options.read_only ? "PRAGMA journal_mode = MEMORY; PRAGMA query_only = ON;"
                             : "PRAGMA journal_mode = MEMORY;");
    } else if (options.read_only) {
      exec("PRAGMA query_only = ON;");
    } else {
      Query mode = query("PRAGMA journal_mode = WAL");
      if (!mode.step() || mode.text(0) != "wal") {
        throw StoreFailure(make_error(kStoreError, "sqlite: cannot switch to WAL journal mode"));
      }
    }
    exec(options.durability == Durability::Full ? "PRAGMA synchronous = FULL;"
                                                : "PRAGMA synchronous = NORMAL;");
    // The writer's working set (the last pages of every active room's messages and of its
    // client-id entries) outgrew the default 2 MiB: misses were re-read from the WAL, ~2 preads
    // per message at 5,000 msg/s over 100 rooms.
    if (!options.read_only) exec("PRAGMA cache_size = -16384;");
  } catch (...) {
    close();
    throw;
  }
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  for (auto& [sql, prepared] : cache_) sqlite3_finalize(prepared->stmt);
  cache_.clear();
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Connection::begin() {
  query("BEGIN IMMEDIATE").run();
  if (!unindexed_) return;
  try {
    store_logged_messages(*this, unindexed_->take());
  } catch (...) {
    rollback();  // they stay taken: the next transaction stores them again
    throw;
  }
}

void Connection::commit() {
  query("COMMIT").run();
  // What begin() took is stored now (nothing, when nothing waited).
  if (unindexed_) unindexed_->indexed();
}

void Connection::rollback() noexcept {
  // Nothing useful to do if even the rollback fails: SQLite then rolls back on its own when the
  // connection is next used or closed.
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    sqlite3_free(message);  // the same text is available from sqlite3_errmsg
    throw_sqlite_error(db_, rc, "exec");
  }
}

Query Connection::query(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto prepared = std::make_unique<Prepared>();
    prepared->sql.assign(sql);
    const int rc =
        sqlite3_prepare_v3(db_, prepared->sql.data(), static_cast<int>(prepared->sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &prepared->stmt, nullptr);
    if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "prepare");
    const std::string_view key = prepared->sql;
    it = cache_.emplace(key, std::move(prepared)).first;
  }
  return Query(db_, it->second->stmt);
}

}  // namespace cz::store::sqlite
