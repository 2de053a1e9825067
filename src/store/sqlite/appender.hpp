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
  Appender(std::unique_ptr<Connection> reads, UnindexedMessages& unindexed,
           std::size_t flush_threshold, std::size_t max_waiting, std::chrono::milliseconds max_wait,
           std::function<void()> ask_flush);

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

 private:
  static constexpr std::size_t kMaxCachedRooms = 100'000;
  struct Members {
    std::string buyer, seller;
  };
  // The room's members (rooms never change theirs), from the table on first use.
  const Members* members_of(const std::string& room_id);
  std::optional<Message> stored_with_client_id(const Message& m);
  bool room_for_one_more();
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
};

}  // namespace cz::store::sqlite
