#pragma once
// Messages acknowledged but not yet in the database's tables, and the log that keeps them.
//
// Why: under load a message used to be a transaction of its own (~1.5 messages per commit at
// 5,000 msg/s over 100 rooms), and every transaction wrote a 4 KiB WAL frame for each B-tree
// page it changed (4-5 per message: the messages table and its two indexes), which the
// checkpointer then copied again: ~95 of the server's ~150 CPU-us per message
// (bench/RESULTS.md, 2026-12-03 18:40Z). Now the appender thread (appender.hpp) checks a new
// message, writes its record to the message log (one small write per batch) and acknowledges
// it; the writer stores the logged messages into the tables in bulk, hundreds per transaction,
// so that most B-tree pages are written once for many messages.
//
// What stays true: an acknowledged message is in the log (fsynced too under Durability::Full)
// before its ack, so it survives a crash of the process like a committed one (SqliteStore
// replays the log on open). Nothing reads the tables while messages wait here: the writer
// indexes them at the start of every transaction (so every other write sees them), and the
// store sends a read through the writer first whenever count() > 0 (store_front.hpp). The
// appender checks client ids here before the tables, in that order (see find_by_client_id).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/model.hpp"
#include "store/sqlite/message_log.hpp"

namespace cz::store::sqlite {

class Connection;

// Inserts messages of the log into the tables, skipping any stored already (message_ops.cpp):
// the writer's bulk step, and the replay of the log on open.
void store_logged_messages(Connection& db, const std::vector<Message>& messages);

class UnindexedMessages {
 public:
  // `log`: null for the in-memory store (nothing to survive).
  explicit UnindexedMessages(std::unique_ptr<MessageLog> log);

  // Appender. The message the sender stored with this client id, if it waits here. Check this
  // BEFORE the table: a message leaves here only after its index commit, so one not found here
  // is either in the table already (and a query started afterwards sees it) or was never sent.
  // `generation` (if given) gets the index generation (how many writer transactions indexed
  // messages) as of the lookup, read under the same lock: every message indexed in that
  // generation or before has left here AND is committed.
  std::optional<Message> find_by_client_id(const std::string& room_id, const std::string& sender,
                                           const std::string& client_message_id,
                                           std::uint64_t* generation = nullptr) const;
  // Appender, at its commit: appends `records` (message_log.hpp) to the log, then holds
  // `messages` (moved from) for the writer. Throws StoreFailure, holding nothing, when the log
  // cannot be written. Returns true when `flush_threshold` messages wait and no flush has been
  // asked for since the writer last took them: the caller should ask for one.
  bool publish(std::vector<Message>& messages, std::string_view records,
               std::size_t flush_threshold);

  // Writer, at the start of a transaction: what it must store, oldest first: whatever waits now
  // plus what an earlier transaction took and did not commit. Later appends go to a new log
  // segment. The reference stays valid until indexed().
  const std::vector<Message>& take();
  // Writer, after every transaction it committed: forgets what begin() took (if anything; the
  // index generation then moves on) and deletes their log segments, then calls the
  // after-commit hook.
  void indexed();
  // Called on the writer's thread after each of its commits (SqliteStore: lets the appender's
  // held read snapshot go while the appender is idle). Set before the writer starts.
  void set_after_commit(std::function<void()> hook) { after_commit_ = std::move(hook); }

  // Messages acknowledged and not yet indexed (any thread).
  std::size_t count() const { return count_.load(std::memory_order_acquire); }
  // How the writer indexed them (the shutdown log line): its transactions that stored logged
  // messages, and the messages they stored.
  std::uint64_t index_transactions() const;
  std::uint64_t indexed_messages() const;
  // Appender: waits, at most `timeout`, until fewer than `limit` messages wait. True if so.
  bool wait_until_below(std::size_t limit, std::chrono::milliseconds timeout);

 private:
  using ByClientId = std::unordered_map<std::string, Message>;
  static std::string client_key(std::string_view room_id, std::string_view sender,
                                std::string_view client_message_id);

  std::unique_ptr<MessageLog> log_;
  mutable std::mutex mutex_;
  // Two of each, so that take() and indexed() hand a whole batch over by swapping: the I/O
  // thread's publish() waits for mutex_, and erasing and freeing 4096 messages under it took
  // 1-2 ms per index transaction (bench/RESULTS.md, 2026-12-04).
  std::vector<Message> waiting_;     // published, not taken yet
  ByClientId waiting_by_client_id_;  // of waiting_
  std::vector<Message> taken_;       // taken by the writer's open transaction
  ByClientId taken_by_client_id_;    // of taken_
  std::atomic<std::size_t> count_{0};
  std::condition_variable indexed_cv_;  // notified by indexed()
  std::uint64_t generation_ = 0;        // transactions that indexed messages; under mutex_
  std::uint64_t indexed_messages_ = 0;  // under mutex_
  std::function<void()> after_commit_;
  bool flush_asked_ = false;
};

}  // namespace cz::store::sqlite
