#pragma once
// The scale-out store: PostgreSQL through libpq.
//
// Threads, as in the SQLite store: one writer thread owns one connection and commits queued
// writes in groups (store/group_commit_writer.hpp: one transaction, one WAL flush per batch,
// each write under its own savepoint); `reader_connections` threads each own a read connection
// (a bounded pool: the store never opens more than 1 + reader_connections connections).
// Completions run on those threads; refusals on a small thread of their own.
//
// Several nodes may share one database: migrations take an advisory lock, counters are updated
// in SQL (n = n + 1 under the row lock), and creating a room or storing a client retry tolerates
// another node doing the same at the same moment (ON CONFLICT).
//
// When PostgreSQL goes away (restart, failover), requests fail fast with STORE_UNAVAILABLE and
// every connection reopens by itself on a later request, within a backoff (connection.hpp).
// A write is acknowledged only after its COMMIT returned, so nothing acknowledged is lost; a
// write whose COMMIT was cut off is reported as failed although it may have committed — a retry
// with the same client_message_id then finds it instead of storing it twice.
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
  template <typename T, typename Op>
  void write(Op op, Callback<T> done) {
    writer_->submit(make_job<Connection, T>(std::move(op), std::move(done)));
  }
  template <typename T, typename Op>
  void read(Op op, Callback<T> done) {
    readers_->submit(make_job<Connection, T>(std::move(op), std::move(done)));
  }

  ErrorDispatcher errors_;  // first member: outlives the workers that refuse through it
  std::unique_ptr<GroupCommitWriter<Connection>> writer_;
  std::unique_ptr<ReaderPool<Connection>> readers_;
};

}  // namespace cz::store::postgres
