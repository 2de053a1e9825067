#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/ids.hpp"

template class cz::store::StoreFront<cz::store::sqlite::Backend>;

namespace cz::store::sqlite {

SqliteStore::SqliteStore(SqliteOptions options) {
  ConnectionOptions write_options{options.busy_timeout_ms, options.durability, false,
                                  options.in_memory};
  auto write_conn = std::make_unique<Connection>(options.path, write_options);
  Backend::apply_migrations(*write_conn, Backend::schema_migrations());
  std::unique_ptr<MessageLog> log;
  if (!options.in_memory) {
    log = std::make_unique<MessageLog>(options.path, options.durability == Durability::Full);
    replay_log(*write_conn, *log);
  }
  unindexed_ = std::make_unique<UnindexedMessages>(std::move(log));
  write_conn->index_at_begin(unindexed_.get());
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
  auto appender_reads = std::make_unique<Connection>(options.path, read_options);
  const bool inline_appends = options.inline_appends && options.durability == Durability::Normal;
  // The inline appender holds its read snapshot between messages (appender.hpp): after each of
  // the writer's commits, if no append runs now, it lets it go. try_lock: an append may be
  // waiting for this very writer (Appender::room_for_one_more).
  const bool hold_snapshot = inline_appends && !options.in_memory;
  if (hold_snapshot) {
    unindexed_->set_after_commit([this] {
      std::unique_lock lock(inline_mutex_, std::try_to_lock);
      if (lock && inline_appender_) inline_appender_->release_snapshot();
    });
  }
  start(std::move(write_conn), std::move(read_conns),
        FrontOptions{options.max_batch, options.max_queued_writes, options.max_queued_reads,
                     options.commit_window});
  route_reads_through_writer_while([u = unindexed_.get()] { return u->count() > 0; });
  const std::size_t max_waiting = std::max<std::size_t>(options.max_queued_writes, 1);
  auto appender = std::make_unique<Appender>(
      std::move(appender_reads), *unindexed_,
      std::clamp<std::size_t>(options.index_batch, 1, max_waiting), max_waiting,
      options.append_wait, [this] { nudge_writer(); }, hold_snapshot);
  if (inline_appends) {
    std::lock_guard lock(inline_mutex_);  // the writer's after-commit hook reads it
    inline_appender_ = std::move(appender);
  } else {
    appender_ = std::make_unique<GroupCommitWriter<Appender>>(
        std::move(appender), std::max<std::size_t>(options.max_batch, 1), options.max_queued_writes,
        errors(), std::chrono::microseconds(0), "cz-appender");
  }
}

void SqliteStore::replay_log(Connection& db, MessageLog& log) {
  const std::vector<Message> logged = log.read_existing();
  if (!logged.empty()) {
    db.begin();
    try {
      store_logged_messages(db, logged);
      db.commit();
    } catch (...) {
      db.rollback();
      throw;
    }
    spdlog::info("sqlite store: stored {} messages from the message log of the last run",
                 logged.size());
  }
  log.remove_older_segments();
}

void SqliteStore::insert_message(NewMessage msg, Callback<InsertMessageResult> done) {
  auto job = make_job<Appender, InsertMessageResult>(
      [m = std::move(msg)](Appender& a) { return a.insert(m); }, std::move(done));
  if (!inline_appender_) {
    appender_->submit(std::move(job));
    return;
  }
  append_inline(*job);
  job->complete();  // outside the lock; a throwing callback is logged, as on the store's threads
}

void SqliteStore::append_inline(Job<Appender>& job) {
  std::lock_guard lock(inline_mutex_);
  if (shut_down_) return job.set_error(make_error(kStoreUnavailable, "store is shut down"));
  Appender& appender = *inline_appender_;
  appender.begin();
  job.run(appender);  // its exceptions become its error
  try {
    // A refused message staged nothing: nothing to write. Counted either way, as the appender
    // thread's batches count every request they answer.
    if (job.failed())
      appender.rollback();
    else
      appender.commit();
    inline_appends_.fetch_add(1, std::memory_order_relaxed);
  } catch (const StoreFailure& failure) {
    appender.rollback();
    job.set_error(failure.error());
  }
}

StoreStats SqliteStore::stats() const {
  StoreStats s = StoreFront::stats();
  if (!appender_) {
    const std::uint64_t appends = inline_appends_.load(std::memory_order_relaxed);
    s.write_transactions += appends;
    s.writes_committed += appends;
    return s;
  }
  const WriterCounters& a = appender_->counters();
  s.write_transactions += a.transactions.load(std::memory_order_relaxed);
  s.writes_committed += a.writes.load(std::memory_order_relaxed);
  s.failed_transactions += a.failed_transactions.load(std::memory_order_relaxed);
  s.largest_batch = std::max<std::uint64_t>(s.largest_batch, a.largest_batch.load());
  s.queued_writes += appender_->queued();
  return s;
}

void SqliteStore::pause_writes() {
  if (appender_) appender_->pause();
  StoreFront::pause_writes();
}

void SqliteStore::resume_writes() {
  if (appender_) appender_->resume();
  StoreFront::resume_writes();
}

SqliteStore::~SqliteStore() {
  shutdown();
}

void SqliteStore::shutdown() {
  {
    std::lock_guard lock(inline_mutex_);
    if (shut_down_) return;
    shut_down_ = true;  // inline appends are refused from now on
    if (inline_appender_) inline_appender_->release_snapshot();  // the last checkpoint's way
  }
  if (appender_) appender_->stop();  // acknowledges what it has queued
  // The writer's last transaction stores what the log holds (stop_workers commits what is queued).
  if (unindexed_->count() > 0) nudge_writer();
  if (!stop_workers()) return;
  // How well group commit grouped: what the commit window is tuned by.
  if (appender_) {
    const WriterCounters& a = appender_->counters();
    spdlog::info("{} store: {} messages appended in {} batches (largest {})",
                 checkpointer_ ? "sqlite" : "memory", a.writes.load(), a.transactions.load(),
                 a.largest_batch.load());
  }
  const WriterCounters& w = writer_counters();
  if (!checkpointer_) {
    spdlog::info("memory store: {} writes in {} transactions (largest batch {})", w.writes.load(),
                 w.transactions.load(), w.largest_batch.load());
    return;
  }
  checkpointer_->stop();
  spdlog::info(
      "sqlite store: {} writes in {} transactions (largest batch {}, {} run again under "
      "savepoints; {} commits over {} ms, longest {} us), {} logged messages stored in {} of "
      "them, {} checkpoint passes ({} by the writer, longest {} us), {} WAL restarts",
      w.writes.load(), w.transactions.load(), w.largest_batch.load(), w.guarded_reruns.load(),
      w.slow_commits.load(), kSlowCommit.count(), w.longest_commit_us.load(),
      unindexed_->indexed_messages(), unindexed_->index_transactions(),
      checkpointer_->checkpoints(), checkpointer_->writer_checkpoints(),
      checkpointer_->writer_checkpoint_us_max(), checkpointer_->wal_restarts());
}

}  // namespace cz::store::sqlite
