#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "util/thread_name.hpp"

namespace cz::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, const ConnectionOptions& options,
                           int threshold_pages)
    : conn_(std::make_unique<Connection>(path, options)), threshold_pages_(threshold_pages) {
  thread_ = std::thread([this] {
    name_this_thread("cz-checkpoint");
    loop();
  });
}

void Checkpointer::attach(Connection& writer) {
  sqlite3_wal_hook(writer.raw(), &Checkpointer::on_commit, this);
}

// Called on the writer thread after each commit, with the WAL's size in frames.
int Checkpointer::on_commit(void* self, sqlite3* db, const char*, int wal_pages) {
  auto* cp = static_cast<Checkpointer*>(self);
  if (wal_pages < cp->last_wal_pages_) {  // the WAL restarted
    cp->requested_at_pages_ = 0;
    cp->wal_restarts_.fetch_add(1, std::memory_order_relaxed);
  }
  cp->last_wal_pages_ = wal_pages;
  // The background thread has copied all but the last few frames: the writer copies those
  // itself, now, between two transactions (nothing is appended meanwhile, so this one always
  // completes), and its next transaction restarts the WAL. A few pages and two syncs: well
  // under a millisecond, where copying the whole threshold here took 5-70 ms.
  // Also the last resort when this thread has not caught up for several thresholds of growth
  // (descheduled, or a long read pins old frames): keeps the WAL bounded.
  if (wal_pages >= kWriterCatchUp * cp->threshold_pages_) {
    // Waits for a pass of this thread in progress: the bound must not depend on scheduling.
    cp->writer_finishes_.store(false, std::memory_order_relaxed);
    cp->inline_checkpoint(db, /*wait=*/true);
    return SQLITE_OK;
  }
  if (cp->writer_finishes_.exchange(false, std::memory_order_relaxed)) {
    // Not now if this thread is in a pass (a new signal): the next commit tries again.
    if (!cp->inline_checkpoint(db, /*wait=*/false)) cp->writer_finishes_.store(true);
    return SQLITE_OK;
  }
  // Once per threshold of growth, not after every commit past it.
  if (wal_pages - cp->requested_at_pages_ < cp->threshold_pages_) return SQLITE_OK;
  cp->requested_at_pages_ = wal_pages;
  {
    std::lock_guard lock(cp->mutex_);
    cp->requested_ = true;
  }
  cp->wake_.notify_one();
  return SQLITE_OK;
}

bool Checkpointer::inline_checkpoint(sqlite3* db, bool wait) {
  const auto start = std::chrono::steady_clock::now();
  // Finishing a cycle never waits for this thread's pass (the writer would stall for all of
  // it); the last resort does.
  std::unique_lock one_at_a_time(checkpoint_mutex_, std::defer_lock);
  if (wait) {
    one_at_a_time.lock();
  } else if (!one_at_a_time.try_lock()) {
    return false;
  }
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
  return true;
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
    catch_up();
    lock.lock();
  }
}

void Checkpointer::catch_up() {
  // PASSIVE: copies what it can without waiting for readers or the writer. A pass copies up to
  // the WAL's end as it was when the pass began; frames committed while it ran are for the
  // next one, each smaller than the one before. Once a pass has little left to copy, the
  // writer finishes (on_commit).
  int last_copied = 0;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    int wal_frames = 0, copied = 0;
    int rc;
    {
      std::lock_guard one_at_a_time(checkpoint_mutex_);
      rc = sqlite3_wal_checkpoint_v2(conn_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                     &copied);
    }
    if (rc != SQLITE_OK) {
      if ((rc & 0xff) != SQLITE_BUSY) {
        spdlog::warn("sqlite checkpoint failed: {}", sqlite3_errmsg(conn_->raw()));
      }
      return;
    }
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    if (wal_frames < last_copied) return;  // the WAL restarted meanwhile
    if (copied < wal_frames && copied == last_copied) {
      // Held back by a reader on an older snapshot: reads are short, try again shortly.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    const int this_pass = copied - last_copied;
    last_copied = copied;
    // Chasing the writer to the very end costs two syncs a pass: after kChasePasses, the
    // writer copies what is left (one pass's worth of commits: a few frames).
    if (copied >= wal_frames && (this_pass <= kWriterFinishFrames || pass + 1 >= kChasePasses)) {
      writer_finishes_.store(true, std::memory_order_relaxed);
      return;
    }
  }
}

}  // namespace cz::store::sqlite
