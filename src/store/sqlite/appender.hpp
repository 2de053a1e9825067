#pragma once
// The appender: the hot path's store. Runs on a group-commit writer of its own
// (group_commit_writer.hpp) and meets batch_runner.hpp's connection requirements, but its
// "transaction" is a batch of new messages: each is checked (the room exists, sender and
// recipient are its members, the client id is new), given its id, and staged; commit() writes
// the batch's records to the message log in one write and hands the messages to the writer
// (unindexed.hpp), and only then are they acknowledged. It writes nothing to the database.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/model.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/unindexed.hpp"
#include "store/store.hpp"

namespace cz::store::sqlite {

class Appender {
 public:
  // `reads`: a connection of its own for the checks. `ask_flush`: asks the writer to index what
  // waits (called on this thread) once `flush_threshold` messages wait. At `max_waiting`
  // waiting messages (the writer does not keep up) a new one waits for the writer, at most
  // `max_wait` (backpressure: the caller's sockets are not read meanwhile), and is refused with
  // STORE_UNAVAILABLE only after that, as a full write queue refuses.
  //
  // `hold_snapshot`: keep one read transaction open on `reads` across messages instead of one
  // per check (each costs SQLite a lock and an unlock of a WAL read mark, two fcntl calls, and
  // a new one after the writer committed drops the connection's page cache: ~2 fcntl + 0.4
  // pread per message at 10,000 msg/s, bench/RESULTS.md 2026-12-04). The snapshot is renewed
  // whenever the writer has indexed messages since it began (see stored_with_client_id), and
  // release_snapshot() lets it go (SqliteStore calls it after the writer's commits while no
  // append runs, so an idle appender does not keep the WAL from restarting). Only in WAL mode
  // (a reader there never blocks the writer). Without it, every check is a read transaction of
  // its own.
  Appender(std::unique_ptr<Connection> reads, UnindexedMessages& unindexed,
           std::size_t flush_threshold, std::size_t max_waiting, std::chrono::milliseconds max_wait,
           std::function<void()> ask_flush, bool hold_snapshot = false);

  // The operation (store.hpp's insert_message): a new message, or the stored one for a retry.
  Result<InsertMessageResult> insert(const NewMessage& msg);

  // batch_runner.hpp's connection requirements.
  void begin() { in_batch_ = true; }
  void commit();
  void rollback() noexcept;
  void savepoint() { mark_ = staged_.size(); }
  void release_savepoint() {}
  void rollback_to_savepoint() { unstage_from(mark_); }
  bool in_transaction() const { return in_batch_; }
  std::int64_t total_changes() const { return staged_total_; }

  // Ends the read transaction of the checks, if one is open. Not while insert() runs.
  void release_snapshot() noexcept;

 private:
  static constexpr std::size_t kMaxCachedRooms = 100'000;
  struct Members {
    std::string buyer, seller;
  };
  // The room's members (rooms never change theirs), from the table on first use.
  const Members* members_of(const std::string& room_id);
  std::optional<Message> stored_with_client_id(const Message& m);
  bool room_for_one_more();
  // A read transaction on reads_ that sees every commit of index generation `generation` and
  // before (a new one if the open one began earlier).
  void read_as_of(std::uint64_t generation);
  void unstage_from(std::size_t n);

  std::unique_ptr<Connection> reads_;
  UnindexedMessages& unindexed_;
  const std::size_t flush_threshold_;
  const std::size_t max_waiting_;
  const std::chrono::milliseconds max_wait_;
  std::function<void()> ask_flush_;
  std::unordered_map<std::string, Members> members_;
  std::vector<Message> staged_;
  std::string records_;
  std::vector<std::size_t> record_ends_;  // records_'s size after each staged message
  std::size_t mark_ = 0;
  std::int64_t staged_total_ = 0;
  bool in_batch_ = false;
  const bool hold_snapshot_;
  bool snapshot_open_ = false;
  std::uint64_t snapshot_generation_ = 0;
};

}  // namespace cz::store::sqlite
