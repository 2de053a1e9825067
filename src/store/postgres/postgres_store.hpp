#pragma once
// The scale-out store: PostgreSQL through libpq.
//
// Threads, as in the SQLite store: one writer thread owns one connection and commits queued
// writes in groups (store/group_commit_writer.hpp: one transaction, one WAL flush per batch,
// pipelined and without savepoints first, store/README.md); `reader_connections` threads each
// own a read connection (a bounded pool: the store never opens more than 1 + reader_connections
// connections). Completions run on those threads; refusals on a small thread of their own.
//
// Several nodes may share one database: migrations take an advisory lock, counters are updated
// in SQL (n = n + 1 under the row lock), creating a room or storing a client retry tolerates
// another node doing the same at the same moment (ON CONFLICT), and messages are ordered by a
// position PostgreSQL gives each row, read under the horizon of transactions in flight
// (store/README.md, "Message order"): no lock across nodes.
//
// When PostgreSQL goes away (restart, failover), reads fail fast with STORE_UNAVAILABLE; writes
// wait for it within PostgresOptions::queue_wait and max_queued_bytes, then are refused with it.
// Every connection reopens by itself on a later request, within a backoff (connection.hpp).
// A write is acknowledged only after its COMMIT returned, so nothing acknowledged is lost; a
// write whose COMMIT was cut off is reported as failed although it may have committed — a retry
// with the same client_message_id then finds it instead of storing it twice.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "store/error_dispatcher.hpp"
#include "store/group_commit_writer.hpp"
#include "store/postgres/connection.hpp"
#include "store/reader_pool.hpp"
#include "store/store.hpp"

namespace cz::store::postgres {

struct PostgresOptions {
  std::string url;  // libpq connection URI (postgres://user:pass@host:port/db?libpq-params)
  std::size_t reader_connections = 4;
  std::size_t max_batch = 256;  // writes per transaction
  std::size_t max_queued_writes = 10'000;
  std::size_t max_queued_reads = 10'000;
  int connect_timeout_s = 5;
  // Backpressure (store/README.md): while PostgreSQL is slow or unreachable, writes wait in the
  // queue, up to these bounds, before they are refused with STORE_UNAVAILABLE. A write that has
  // waited longer than `queue_wait` is refused instead of run; while the server cannot be
  // reached, the writer keeps trying to begin a transaction until it has been unreachable that
  // long. Queued writes beyond `max_queued_bytes` (their data, estimated) are refused at once.
  std::chrono::milliseconds queue_wait{5000};
  std::size_t max_queued_bytes = 32u << 20;
  // libpq pipeline mode for the savepoint-free pass of each batch (connection.hpp).
  bool pipeline = true;
};

class PostgresStore final : public Store {
 public:
  // Connects, applies schema migrations, starts the threads. Throws StoreFailure (a
  // std::runtime_error) when the database cannot be reached or used.
  explicit PostgresStore(PostgresOptions options);
  ~PostgresStore() override;

  void create_room(CreateRoom req, Callback<CreateRoomResult> done) override;
  void get_room(std::string room_id, Callback<std::optional<Room>> done) override;
  void list_rooms(RoomQuery query, Callback<std::vector<Room>> done) override;
  void enable_room(std::string room_id, Role side, Callback<Room> done) override;
  void set_pinned(std::string room_id, Role side, bool pinned, Callback<Room> done) override;
  void delete_room_side(std::string room_id, Role side, Callback<Room> done) override;
  void insert_message(NewMessage msg, Callback<InsertMessageResult> done) override;
  void mark_seen(std::string room_id, std::string reader,
                 std::optional<std::vector<std::string>> message_ids,
                 Callback<std::vector<std::string>> done) override;
  void list_messages(MessageQuery query, Callback<std::vector<Message>> done) override;
  void sync_messages(SyncQuery query, Callback<std::vector<Message>> done) override;
  void get_message(std::string message_id, Callback<std::optional<Message>> done) override;
  void update_message_content(std::string message_id, std::string editor, std::string content,
                              Callback<Message> done) override;
  void unread_counts(std::string user_id, Callback<std::vector<UnreadCount>> done) override;
  void room_partners(std::string user_id, Callback<std::vector<std::string>> done) override;
  void import_batch(ImportBatch batch, Callback<ImportBatchResult> done) override;
  void shutdown() override;
  StoreStats stats() const override;

  // Holds queued writes (they keep queueing, up to the bound) until resume_writes(); for tests
  // that need a known batch. shutdown() still commits what is queued.
  void pause_writes() { writer_->pause(); }
  void resume_writes() { writer_->resume(); }

 private:
  // Queues a write of about `bytes` of data, within the backpressure bounds (see
  // PostgresOptions): refused at once beyond max_queued_bytes; refused instead of run when it
  // has waited longer than queue_wait.
  template <typename T, typename Op>
  void write(std::size_t bytes, Op op, Callback<T> done) {
    bytes += kWriteOverheadBytes;
    if (!reserve_queue_bytes(bytes)) {
      errors_.refuse(make_job<Connection, T>(std::move(op), std::move(done)), queue_full_error());
      return;
    }
    auto release = [this, bytes, done = std::move(done)](Result<T> r) {
      queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      done(std::move(r));
    };
    auto timed = [this, queued_at = std::chrono::steady_clock::now(),
                  op = std::move(op)](Connection& db) -> Result<T> {
      if (std::chrono::steady_clock::now() - queued_at > options_.queue_wait) {
        return waited_too_long_error();
      }
      unreachable_since_ns_.store(0, std::memory_order_relaxed);  // a transaction is open
      return op(db);
    };
    writer_->submit(make_job<Connection, T>(std::move(timed), Callback<T>(std::move(release))));
  }
  static constexpr std::size_t kWriteOverheadBytes = 256;  // the job, its strings' headers
  bool reserve_queue_bytes(std::size_t bytes);
  Error queue_full_error() const;
  Error waited_too_long_error() const;
  // The writer connection's retry_begin: waits while the server is unreachable.
  bool wait_for_server(const StoreFailure& failure, std::chrono::steady_clock::duration trying);
  void log_queue_depth(const char* why);
  template <typename T, typename Op>
  void read(Op op, Callback<T> done) {
    readers_->submit(make_job<Connection, T>(std::move(op), std::move(done)));
  }

  PostgresOptions options_;
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> last_depth_log_ms_{0};
  // When the writer first found the server unreachable (steady clock, ns); 0 while reachable.
  std::atomic<std::int64_t> unreachable_since_ns_{0};
  ErrorDispatcher errors_;  // outlives the workers that refuse through it
  std::unique_ptr<GroupCommitWriter<Connection>> writer_;
  std::unique_ptr<ReaderPool<Connection>> readers_;
};

}  // namespace cz::store::postgres
