#pragma once
// The embedded store: one SQLite file in WAL mode.
//
// Threads: the appender thread checks and logs new messages (appender.hpp, unindexed.hpp); one
// writer thread owns the only write connection, stores logged messages in bulk and commits every
// other write in groups (store/group_commit_writer.hpp); `reader_threads` threads each own a read
// connection (WAL lets them read while the writer commits). Completions run on those threads;
// refusals (queue full, shut down) on a small thread of their own (store/error_dispatcher.hpp).
//
// Durability (PRAGMA synchronous), chosen by measurement (src/store/README.md):
// A new message is acknowledged once the message log holds it (fsynced under Full), and is
// stored in the tables later, in bulk; the log is replayed on open after a crash.
// - Normal (default): a commit is appended to the WAL without fsync. An acknowledged write
//   survives a crash or kill of the process (the kernel has the pages); a power loss or kernel
//   crash may lose the last commits before the OS wrote them back, and never corrupts the file.
// - Full (`?synchronous=full` in the store URL): every commit is fsynced before its callbacks
//   run; an ack then survives a power loss too. Group commit keeps the throughput close to
//   Normal under concurrency (one fsync per batch), but every ack waits for an fsync — a
//   sender that waits for each ack is capped at one message per fsync (~8 ms on our VM disk).
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "store/group_commit_writer.hpp"
#include "store/sqlite/appender.hpp"
#include "store/sqlite/backend.hpp"
#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/message_log.hpp"
#include "store/sqlite/unindexed.hpp"
#include "store/store_front.hpp"

namespace cz::store::sqlite {

struct SqliteOptions {
  std::string path;
  // `path` is a name in this process's memory (`--store memory`, connection.hpp): no file, no
  // WAL, no checkpoints, nothing kept after the process ends. For benchmarks and tests.
  bool in_memory = false;
  Durability durability = Durability::Normal;
  std::size_t reader_threads = 2;
  std::size_t max_batch = 256;  // writes per transaction
  // How long the writer may wait for more writes before a transaction, under load
  // (group_commit_writer.hpp). Off by default: on a quiet machine at 2,000 msg/s, 500 us cut
  // transactions by only ~15 % for no measurable CPU gain and added ~0.5 ms to the p50
  // (bench/RESULTS.md, 2026-11-25 18:39Z). `?commit_window_us=N` in the store URL.
  std::chrono::microseconds commit_window{0};
  std::size_t max_queued_writes = 10'000;
  std::size_t max_queued_reads = 10'000;
  int busy_timeout_ms = 5000;
  // WAL growth that triggers a background checkpoint (4 MiB). Larger saves some CPU (a page
  // rewritten by many transactions is copied once per checkpoint: 4000 pages cut CPU per message
  // by ~10 % in cz-store-bench at ~30 writes per transaction, ~7 % in the server at 2,000 msg/s)
  // but each checkpoint's sync then stalls the writer longer: delivery p99 went from ~8 to
  // ~17 ms (bench/RESULTS.md, notes of the 2026-11-25 20:40Z run). Latency wins.
  // `?checkpoint_pages=N`.
  int checkpoint_pages = 1000;
  // Acknowledged messages that may wait in the message log before the writer stores them in the
  // tables in one transaction (unindexed.hpp; reads and other writes make it sooner). A
  // transaction writes each B-tree page it changes once, and 100 busy rooms change ~2 pages
  // each (their rows, their client-id entries) whatever the batch: at 10,000 msg/s, 512 made
  // the writer write 2.4 WAL frames (9.8 KB) per message, 4096 makes it 0.55 (2.3 KB), and the
  // server's CPU per message fell from 36.6-39.5 to 27.4-28.4 us (bench/RESULTS.md,
  // 2026-12-04). Bounded by max_queued_writes. `?index_batch=N`.
  std::size_t index_batch = 4096;
  // Where new messages are checked and logged (appender.hpp). Inline: on the caller's thread,
  // under a lock, and `done` runs before insert_message returns: a check that reads pages SQLite
  // has cached and a write to the page cache, cheaper than the two thread hand-offs of the
  // appender's thread (~28 CPU-us per message at 5,000 msg/s, bench/RESULTS.md). Only under
  // Durability::Normal: under Full every append waits for an fsync, which must not stall an
  // event loop, so the appender thread does it. `?appends=inline|thread`.
  bool inline_appends = true;
  // How long a new message waits for the writer when `max_queued_writes` messages already wait
  // to be indexed, before it is refused with STORE_UNAVAILABLE (appender.hpp). `?append_wait_ms=N`.
  std::chrono::milliseconds append_wait{5000};
};

class SqliteStore final : public StoreFront<Backend> {
 public:
  // Opens (creating the file if needed), applies schema migrations, starts the threads.
  // Throws std::runtime_error (StoreFailure) when the database cannot be used.
  explicit SqliteStore(SqliteOptions options);
  ~SqliteStore() override;

  // Commits what is queued, stops the threads and the checkpointer, logs how writes grouped.
  void shutdown() override;

  // New messages go to the appender (appender.hpp), not to the writer.
  void insert_message(NewMessage msg, Callback<InsertMessageResult> done) override;
  StoreStats stats() const override;
  void pause_writes();
  void resume_writes();

  // Background WAL checkpoints completed so far.
  std::uint64_t checkpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }
  std::uint64_t wal_restarts() const { return checkpointer_ ? checkpointer_->wal_restarts() : 0; }

 private:
  // Stores the messages a crashed run left in the log, then deletes its segments.
  static void replay_log(Connection& db, MessageLog& log);

  std::unique_ptr<Checkpointer> checkpointer_;  // hooks the writer connection; stopped after it
  std::unique_ptr<UnindexedMessages>
      unindexed_;  // outlives the writer's connection and the appender
  // Runs an insert on the inline appender, under the lock; the caller completes the job.
  void append_inline(Job<Appender>& job);

  std::unique_ptr<GroupCommitWriter<Appender>> appender_;  // appends on its thread, or
  std::unique_ptr<Appender> inline_appender_;              // on the callers' (under the lock)
  std::mutex inline_mutex_;
  std::atomic<std::uint64_t> inline_appends_{0};  // each one write of the log: stats()
  bool shut_down_ = false;                        // under inline_mutex_
};

}  // namespace cz::store::sqlite

// Instantiated once, in sqlite_store.cpp.
extern template class cz::store::StoreFront<cz::store::sqlite::Backend>;
