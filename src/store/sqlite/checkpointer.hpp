#pragma once
// Moves WAL checkpoints off the writer thread.
//
// By default SQLite checkpoints inside the COMMIT that pushes the WAL past 1000 pages, so every
// so often one batch of writes also pays for copying the WAL into the database and its fsyncs
// (milliseconds, even with synchronous=NORMAL): a latency spike for every ack in that batch.
// Instead, the writer's commit hook only signals this thread once the WAL passes a threshold, and
// the thread runs a PASSIVE checkpoint on its own connection; WAL mode lets the writer keep
// appending (and readers keep reading) while it runs.
//
// Under sustained writes that checkpoint never quite catches up (the writer appends while it
// copies), and the WAL only restarts from its beginning after a checkpoint that copied every
// frame: so when the WAL reaches twice the threshold, the writer copies the remaining frames
// itself, between two batches (waiting for a background checkpoint in progress, so that this
// bound does not depend on scheduling). One signal per threshold of growth, never one per commit.
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/connection.hpp"

namespace cz::store::sqlite {

class Checkpointer {
 public:
  Checkpointer(const std::string& path, const ConnectionOptions& options, int threshold_pages);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  ~Checkpointer() { stop(); }

  // Replaces `writer`'s automatic checkpoints with signals to this thread. The checkpointer must
  // outlive the writer connection (or stop() after the writer closed).
  void attach(Connection& writer);
  void stop();
  std::uint64_t checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }
  // The writer's own catch-up checkpoints (it waits for them) and the longest one.
  std::uint64_t writer_checkpoints() const { return writer_checkpoints_.load(); }
  std::int64_t writer_checkpoint_us_max() const { return writer_checkpoint_us_max_.load(); }

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void inline_checkpoint(sqlite3* writer);
  void loop();

  std::unique_ptr<Connection> conn_;
  const int threshold_pages_;
  // The writer thread's (on_commit) only.
  int last_wal_pages_ = 0;
  int requested_at_pages_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Held while a checkpoint runs (either thread): the writer's catch-up waits for a background
  // checkpoint rather than fail BUSY and let the WAL grow.
  std::mutex checkpoint_mutex_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> checkpoints_{0};
  std::atomic<std::uint64_t> writer_checkpoints_{0};
  std::atomic<std::int64_t> writer_checkpoint_us_max_{0};
  std::thread thread_;
};

}  // namespace cz::store::sqlite
