#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include "util/ids.hpp"

template class cz::store::StoreFront<cz::store::sqlite::Backend>;

namespace cz::store::sqlite {

SqliteStore::SqliteStore(SqliteOptions options) {
  ConnectionOptions write_options{options.busy_timeout_ms, options.durability, false,
                                  options.in_memory};
  auto write_conn = std::make_unique<Connection>(options.path, write_options);
  Backend::apply_migrations(*write_conn, Backend::schema_migrations());
  {
    // New ids must sort after every stored one, even if the clock stepped back since they were
    // written (sync cursors rely on it). Only our own ids count: they start with '0' until the
    // year 3084; imported ones (`cz-messenger import`: the original's cuids start with 'c',
    // ObjectIds with '1'-'f' since 1978) sort above them and are not ours to advance past.
    Query newest = write_conn->query("SELECT max(id) FROM messages WHERE id < '1'");
    if (newest.step() && !newest.is_null(0)) advance_ids_past(newest.text(0));
  }
  if (!options.in_memory) {
    checkpointer_ =
        std::make_unique<Checkpointer>(options.path, write_options, options.checkpoint_pages);
    checkpointer_->attach(*write_conn);
  }

  ConnectionOptions read_options{options.busy_timeout_ms, options.durability, true,
                                 options.in_memory};
  std::vector<std::unique_ptr<Connection>> read_conns;
  const std::size_t readers = options.reader_threads ? options.reader_threads : 1;
  for (std::size_t i = 0; i < readers; ++i) {
    read_conns.push_back(std::make_unique<Connection>(options.path, read_options));
  }
  start(std::move(write_conn), std::move(read_conns),
        FrontOptions{options.max_batch, options.max_queued_writes, options.max_queued_reads,
                     options.commit_window});
}

SqliteStore::~SqliteStore() {
  shutdown();
}

void SqliteStore::shutdown() {
  if (!stop_workers()) return;
  // How well group commit grouped: what the commit window is tuned by.
  const WriterCounters& w = writer_counters();
  if (!checkpointer_) {
    spdlog::info("memory store: {} writes in {} transactions (largest batch {})", w.writes.load(),
                 w.transactions.load(), w.largest_batch.load());
    return;
  }
  checkpointer_->stop();
  spdlog::info(
      "sqlite store: {} writes in {} transactions (largest batch {}, {} run again under "
      "savepoints; {} commits over {} ms, longest {} us), {} checkpoint passes ({} by the "
      "writer, longest {} us), {} WAL restarts",
      w.writes.load(), w.transactions.load(), w.largest_batch.load(), w.guarded_reruns.load(),
      w.slow_commits.load(), kSlowCommit.count(), w.longest_commit_us.load(),
      checkpointer_->checkpoints(), checkpointer_->writer_checkpoints(),
      checkpointer_->writer_checkpoint_us_max(), checkpointer_->wal_restarts());
}

}  // namespace cz::store::sqlite
