#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

namespace cz::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, const ConnectionOptions& options,
                           int threshold_pages)
    : conn_(std::make_unique<Connection>(path, options)), threshold_pages_(threshold_pages) {
  thread_ = std::thread([this] { loop(); });
}

void Checkpointer::attach(Connection& writer) {
  sqlite3_wal_hook(writer.raw(), &Checkpointer::on_commit, this);
}

int Checkpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto* cp = static_cast<Checkpointer*>(self);
  if (wal_pages >= cp->threshold_pages_) {
    {
      std::lock_guard lock(cp->mutex_);
      cp->requested_ = true;
    }
    cp->wake_.notify_one();
  }
  return SQLITE_OK;
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
    const int rc = sqlite3_wal_checkpoint_v2(conn_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &wal_frames, &copied);
    if (rc == SQLITE_OK) {
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
    } else if ((rc & 0xff) != SQLITE_BUSY) {
      spdlog::warn("sqlite checkpoint failed: {}", sqlite3_errmsg(conn_->raw()));
    }
    lock.lock();
  }
}

}  // namespace cz::store::sqlite
