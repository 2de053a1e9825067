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
// The WAL only restarts from its beginning when a writer's transaction finds every frame copied,
// and under sustained writes a background checkpoint never quite catches up (the writer appends
// while it copies). So this thread runs passes, each copying what was appended during the one
// before, until one had only a few frames to copy (kWriterFinishFrames) or kChasePasses have
// run; then the writer, after its next commit, copies the last few itself (it appends nothing
// meanwhile, so that checkpoint completes) and its next transaction restarts the WAL. The writer
// used to copy everything past the first pass itself, after waiting for that pass: the commits of
// 5-70 ms behind the ack p99 (bench/RESULTS.md, 2026-12-03). Letting this thread chase the writer
// to the very end instead cost ~1,000 passes a second (two syncs each) at 10,000 msg/s: +40 % CPU
// per message. The writer also checkpoints as a last resort when the WAL grows past kWriterCatchUp
// thresholds (this thread starved or held back by a reader).
// One signal per threshold of growth, never one per commit.
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
  // The writer's own checkpoints (finishing a cycle, or the last resort) and the longest one.
  std::uint64_t writer_checkpoints() const { return writer_checkpoints_.load(); }
  std::int64_t writer_checkpoint_us_max() const { return writer_checkpoint_us_max_.load(); }
  // Times the writer found the WAL restarted from its beginning (one per checkpoint cycle).
  std::uint64_t wal_restarts() const { return wal_restarts_.load(std::memory_order_relaxed); }

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  // The writer's own checkpoint; without `wait`, false when this thread was running one
  // (nothing done).
  bool inline_checkpoint(sqlite3* writer, bool wait);
  void loop();
  // PASSIVE passes until only a few frames are left for the writer (or kChasePasses), up to
  // kMaxPasses when a reader holds frames back; stops on BUSY or when the WAL restarted.
  void catch_up();

  static constexpr int kWriterCatchUp = 4;  // thresholds of WAL before the writer checkpoints
  static constexpr int kWriterFinishFrames = 8;
  static constexpr int kChasePasses = 6;
  static constexpr int kMaxPasses = 16;

  std::unique_ptr<Connection> conn_;
  const int threshold_pages_;
  // The writer thread's (on_commit) only.
  int last_wal_pages_ = 0;
  int requested_at_pages_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Held while a checkpoint runs (either thread): the writer's checkpoint skips its turn when
  // this thread is copying (it would fail BUSY anyway); the next commit tries again.
  std::mutex checkpoint_mutex_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> checkpoints_{0};
  std::atomic<std::uint64_t> writer_checkpoints_{0};
  std::atomic<std::int64_t> writer_checkpoint_us_max_{0};
  std::atomic<std::uint64_t> wal_restarts_{0};
  // Set by this thread when only a few frames are left to copy; the writer's next commit copies
  // them and clears it.
  std::atomic<bool> writer_finishes_{false};
  std::thread thread_;
};

}  // namespace cz::store::sqlite
