#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace cz::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, const ConnectionOptions& options,
                           int threshold_pages)
    : conn_(std::make_unique<Connection>(path, options)), threshold_pages_(threshold_pages) {
  thread_ = std::thread([this] { loop(); });
}

void Checkpointer::attach(Connection& writer) {
  sqlite3_wal_hook(writer.raw(), &Checkpointer::on_commit, this);
}

// Called on the writer thread after each commit, with the WAL's size in frames.
int Checkpointer::on_commit(void* self, sqlite3* db, const char*, int wal_pages) {
  auto* cp = static_cast<Checkpointer*>(self);
  if (wal_pages < cp->last_wal_pages_) cp->requested_at_pages_ = 0;  // the WAL restarted
  cp->last_wal_pages_ = wal_pages;
  // Once per threshold of growth, not after every commit past it: a checkpoint per commit costs
  // two fsyncs each and, racing the writer, never lets the WAL restart.
  if (wal_pages - cp->requested_at_pages_ < cp->threshold_pages_) return SQLITE_OK;
  cp->requested_at_pages_ = wal_pages;
  if (wal_pages < 2 * cp->threshold_pages_) {
    {
      std::lock_guard lock(cp->mutex_);
      cp->requested_ = true;
    }
    cp->wake_.notify_one();
  } else {
    // The background checkpoint copied the bulk but could not catch up with a writer that keeps
    // appending, so the WAL cannot restart and would grow without bound. The writer copies the
    // few frames left itself (it appends nothing meanwhile), and its next transaction restarts
    // the WAL from the beginning. Rare: once per threshold of WAL growth under sustained load.
    cp->inline_checkpoint(db);
  }
  return SQLITE_OK;
}

void Checkpointer::inline_checkpoint(sqlite3* db) {
  const auto start = std::chrono::steady_clock::now();
  // A background checkpoint still running would make ours fail at once (SQLITE_BUSY: one
  // checkpointer at a time), and the WAL would grow for as long as that thread is descheduled:
  // wait for it instead, so that the bound holds whatever the scheduling.
  std::lock_guard one_at_a_time(checkpoint_mutex_);
  const int rc =
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    writer_checkpoints_.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count();
    if (us > writer_checkpoint_us_max_.load()) writer_checkpoint_us_max_.store(us);
  } else if ((rc & 0xff) != SQLITE_BUSY) {
    spdlog::warn("sqlite checkpoint (writer) failed: {}", sqlite3_errmsg(db));
  }
}

void Checkpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  conn_.reset();
}

void Checkpointer::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // PASSIVE: copies what it can without waiting for readers or the writer. The writer
    // restarts the WAL from its beginning once a checkpoint has caught up.
    int wal_frames = 0, copied = 0;
    int rc;
    {
      std::lock_guard one_at_a_time(checkpoint_mutex_);
      rc = sqlite3_wal_checkpoint_v2(conn_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                     &copied);
    }
    if (rc == SQLITE_OK) {
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
    } else if ((rc & 0xff) != SQLITE_BUSY) {
      spdlog::warn("sqlite checkpoint failed: {}", sqlite3_errmsg(conn_->raw()));
    }
    lock.lock();
  }
}

}  // namespace cz::store::sqlite
