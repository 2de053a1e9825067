#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include "store/sqlite/ops.hpp"
#include "store/sqlite/schema.hpp"
#include "util/ids.hpp"

namespace cz::store::sqlite {

SqliteStore::SqliteStore(SqliteOptions options) {
  ConnectionOptions write_options{options.busy_timeout_ms, options.durability, false,
                                  options.in_memory};
  auto write_conn = std::make_unique<Connection>(options.path, write_options);
  apply_migrations(*write_conn, schema_migrations());
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
  writer_ = std::make_unique<GroupCommitWriter<Connection>>(
      std::move(write_conn), options.max_batch ? options.max_batch : 1, options.max_queued_writes,
      errors_, options.commit_window);
  readers_ = std::make_unique<ReaderPool<Connection>>(std::move(read_conns),
                                                      options.max_queued_reads, errors_);
}

SqliteStore::~SqliteStore() {
  shutdown();
}

void SqliteStore::shutdown() {
  if (stopped_.exchange(true)) return;
  writer_->stop();
  readers_->stop();
  // How well group commit grouped: what the commit window is tuned by.
  const WriterCounters& w = writer_->counters();
  if (!checkpointer_) {
    spdlog::info("memory store: {} writes in {} transactions (largest batch {})", w.writes.load(),
                 w.transactions.load(), w.largest_batch.load());
    return;
  }
  checkpointer_->stop();
  spdlog::info(
      "sqlite store: {} writes in {} transactions (largest batch {}, {} run again under "
      "savepoints; {} commits over {} ms, longest {} us), {} checkpoints ({} by the writer, "
      "longest {} us)",
      w.writes.load(), w.transactions.load(), w.largest_batch.load(), w.guarded_reruns.load(),
      w.slow_commits.load(), kSlowCommit.count(), w.longest_commit_us.load(),
      checkpointer_->checkpoints(), checkpointer_->writer_checkpoints(),
      checkpointer_->writer_checkpoint_us_max());
}

StoreStats SqliteStore::stats() const {
  const WriterCounters& w = writer_->counters();
  StoreStats s;
  s.write_transactions = w.transactions.load(std::memory_order_relaxed);
  s.writes_committed = w.writes.load(std::memory_order_relaxed);
  s.failed_transactions = w.failed_transactions.load(std::memory_order_relaxed);
  s.largest_batch = w.largest_batch.load(std::memory_order_relaxed);
  s.rejected = errors_.refused();
  s.queued_writes = writer_->queued();
  s.queued_reads = readers_->queued();
  return s;
}

void SqliteStore::create_room(CreateRoom req, Callback<CreateRoomResult> done) {
  write<CreateRoomResult>(
      [req = std::move(req)](Connection& db) { return sqlite::create_room(db, req); },
      std::move(done));
}

void SqliteStore::get_room(std::string room_id, Callback<std::optional<Room>> done) {
  read<std::optional<Room>>(
      [id = std::move(room_id)](Connection& db) { return sqlite::get_room(db, id); },
      std::move(done));
}

void SqliteStore::list_rooms(RoomQuery query, Callback<std::vector<Room>> done) {
  read<std::vector<Room>>(
      [q = std::move(query)](Connection& db) { return sqlite::list_rooms(db, q); },
      std::move(done));
}

void SqliteStore::enable_room(std::string room_id, Role side, Callback<Room> done) {
  write<Room>(
      [id = std::move(room_id), side](Connection& db) { return sqlite::enable_room(db, id, side); },
      std::move(done));
}

void SqliteStore::set_pinned(std::string room_id, Role side, bool pinned, Callback<Room> done) {
  write<Room>([id = std::move(room_id), side,
               pinned](Connection& db) { return sqlite::set_pinned(db, id, side, pinned); },
              std::move(done));
}

void SqliteStore::delete_room_side(std::string room_id, Role side, Callback<Room> done) {
  write<Room>([id = std::move(room_id),
               side](Connection& db) { return sqlite::delete_room_side(db, id, side); },
              std::move(done));
}

void SqliteStore::insert_message(NewMessage msg, Callback<InsertMessageResult> done) {
  write<InsertMessageResult>(
      [m = std::move(msg)](Connection& db) { return sqlite::insert_message(db, m); },
      std::move(done));
}

void SqliteStore::mark_seen(std::string room_id, std::string reader,
                            std::optional<std::vector<std::string>> message_ids,
                            Callback<std::vector<std::string>> done) {
  write<std::vector<std::string>>(
      [id = std::move(room_id), reader = std::move(reader), ids = std::move(message_ids)](
          Connection& db) { return sqlite::mark_seen(db, id, reader, ids); },
      std::move(done));
}

void SqliteStore::list_messages(MessageQuery query, Callback<std::vector<Message>> done) {
  read<std::vector<Message>>(
      [q = std::move(query)](Connection& db) { return sqlite::list_messages(db, q); },
      std::move(done));
}

void SqliteStore::sync_messages(SyncQuery query, Callback<std::vector<Message>> done) {
  read<std::vector<Message>>(
      [q = std::move(query)](Connection& db) { return sqlite::sync_messages(db, q); },
      std::move(done));
}

void SqliteStore::get_message(std::string message_id, Callback<std::optional<Message>> done) {
  read<std::optional<Message>>(
      [id = std::move(message_id)](Connection& db) { return sqlite::get_message(db, id); },
      std::move(done));
}

void SqliteStore::update_message_content(std::string message_id, std::string editor,
                                         std::string content, Callback<Message> done) {
  write<Message>(
      [id = std::move(message_id), editor = std::move(editor), content = std::move(content)](
          Connection& db) { return sqlite::update_message_content(db, id, editor, content); },
      std::move(done));
}

void SqliteStore::unread_counts(std::string user_id, Callback<std::vector<UnreadCount>> done) {
  read<std::vector<UnreadCount>>(
      [id = std::move(user_id)](Connection& db) { return sqlite::unread_counts(db, id); },
      std::move(done));
}

void SqliteStore::room_partners(std::string user_id, Callback<std::vector<std::string>> done) {
  read<std::vector<std::string>>(
      [id = std::move(user_id)](Connection& db) { return sqlite::room_partners(db, id); },
      std::move(done));
}

void SqliteStore::import_batch(ImportBatch batch, Callback<ImportBatchResult> done) {
  write<ImportBatchResult>(
      [b = std::move(batch)](Connection& db) { return sqlite::import_batch(db, b); },
      std::move(done));
}

}  // namespace cz::store::sqlite
