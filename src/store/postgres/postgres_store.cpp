#include "store/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include "store/postgres/ops.hpp"
#include "store/postgres/schema.hpp"
#include "util/ids.hpp"

namespace cz::store::postgres {
namespace {

// Several nodes on one database: every node's write transaction takes this lock first (held
// until COMMIT/ROLLBACK) and then moves its id generator past the largest stored id. Write
// transactions (all of them, whatever they write) are thereby serialized cluster-wide, and each
// one's ids are larger than every id committed before it: id order is commit order across the
// cluster, so a reader's `id > cursor` never misses a message committed later (sync,
// list_messages). The lock is released only after the commit is visible, and each statement of a
// READ COMMITTED transaction sees everything visible when it starts, so the max(id) read after the
// lock sees the previous holder's ids. One round trip; max(id) is one step down the primary key
// index.
// The largest id we generated: ours start with '0' until the year 3084; imported ones
// (`cz-messenger import`: the original's cuids start with 'c', ObjectIds with '1'-'f' since
// 1978) sort above them and must not hide our maximum.
constexpr const char* kOwnIdsMaxSql = "SELECT max(id) FROM messages WHERE id < '1'";
constexpr const char* kBeginOrderedSql =
    "BEGIN ISOLATION LEVEL READ COMMITTED; "
    "SELECT pg_advisory_xact_lock(27983621695157619); "  // the migration lock's key + 1
    "SELECT max(id) FROM messages WHERE id < '1'";       // our ids only (see kOwnIdsMaxSql)

void advance_past_stored_ids(const PgResult& max_id) {
  if (max_id.rows() == 1 && !max_id.is_null(0, 0)) advance_ids_past(max_id.text(0, 0));
}

void begin_ordered(Connection& db) {
  advance_past_stored_ids(db.exec(kBeginOrderedSql));
}

std::unique_ptr<Connection> connect(const PostgresOptions& options, std::string name, bool reader) {
  ConnectionOptions o;
  o.url = options.url;
  o.name = std::move(name);
  o.connect_timeout_s = options.connect_timeout_s;
  o.retry_lost_reads = reader;
  if (!reader) o.begin_transaction = &begin_ordered;
  return std::make_unique<Connection>(std::move(o));
}

}  // namespace

PostgresStore::PostgresStore(PostgresOptions options) {
  auto write_conn = connect(options, "writer", false);
  const int applied = apply_migrations(*write_conn, schema_migrations());
  spdlog::info("store: PostgreSQL {} (schema version {}, {} migration(s) applied now)",
               write_conn->describe(), schema_version(*write_conn), applied);
  // As the SQLite store: ids keep growing across a restart even if the clock stepped back.
  advance_past_stored_ids(write_conn->exec(kOwnIdsMaxSql));

  std::vector<std::unique_ptr<Connection>> read_conns;
  const std::size_t readers = options.reader_connections ? options.reader_connections : 1;
  for (std::size_t i = 0; i < readers; ++i) {
    read_conns.push_back(connect(options, "reader " + std::to_string(i + 1), true));
  }
  writer_ = std::make_unique<GroupCommitWriter<Connection>>(
      std::move(write_conn), options.max_batch ? options.max_batch : 1, options.max_queued_writes,
      errors_);
  readers_ = std::make_unique<ReaderPool<Connection>>(std::move(read_conns),
                                                      options.max_queued_reads, errors_);
}

PostgresStore::~PostgresStore() {
  shutdown();
}

void PostgresStore::shutdown() {
  writer_->stop();
  readers_->stop();
}

StoreStats PostgresStore::stats() const {
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

void PostgresStore::create_room(CreateRoom req, Callback<CreateRoomResult> done) {
  write<CreateRoomResult>(
      [req = std::move(req)](Connection& db) { return postgres::create_room(db, req); },
      std::move(done));
}

void PostgresStore::get_room(std::string room_id, Callback<std::optional<Room>> done) {
  read<std::optional<Room>>(
      [id = std::move(room_id)](Connection& db) { return postgres::get_room(db, id); },
      std::move(done));
}

void PostgresStore::list_rooms(RoomQuery query, Callback<std::vector<Room>> done) {
  read<std::vector<Room>>(
      [q = std::move(query)](Connection& db) { return postgres::list_rooms(db, q); },
      std::move(done));
}

void PostgresStore::enable_room(std::string room_id, Role side, Callback<Room> done) {
  write<Room>([id = std::move(room_id),
               side](Connection& db) { return postgres::enable_room(db, id, side); },
              std::move(done));
}

void PostgresStore::set_pinned(std::string room_id, Role side, bool pinned, Callback<Room> done) {
  write<Room>([id = std::move(room_id), side,
               pinned](Connection& db) { return postgres::set_pinned(db, id, side, pinned); },
              std::move(done));
}

void PostgresStore::delete_room_side(std::string room_id, Role side, Callback<Room> done) {
  write<Room>([id = std::move(room_id),
               side](Connection& db) { return postgres::delete_room_side(db, id, side); },
              std::move(done));
}

void PostgresStore::insert_message(NewMessage msg, Callback<InsertMessageResult> done) {
  write<InsertMessageResult>(
      [m = std::move(msg)](Connection& db) { return postgres::insert_message(db, m); },
      std::move(done));
}

void PostgresStore::mark_seen(std::string room_id, std::string reader,
                              std::optional<std::vector<std::string>> message_ids,
                              Callback<std::vector<std::string>> done) {
  write<std::vector<std::string>>(
      [id = std::move(room_id), reader = std::move(reader), ids = std::move(message_ids)](
          Connection& db) { return postgres::mark_seen(db, id, reader, ids); },
      std::move(done));
}

void PostgresStore::list_messages(MessageQuery query, Callback<std::vector<Message>> done) {
  read<std::vector<Message>>(
      [q = std::move(query)](Connection& db) { return postgres::list_messages(db, q); },
      std::move(done));
}

void PostgresStore::sync_messages(SyncQuery query, Callback<std::vector<Message>> done) {
  read<std::vector<Message>>(
      [q = std::move(query)](Connection& db) { return postgres::sync_messages(db, q); },
      std::move(done));
}

void PostgresStore::get_message(std::string message_id, Callback<std::optional<Message>> done) {
  read<std::optional<Message>>(
      [id = std::move(message_id)](Connection& db) { return postgres::get_message(db, id); },
      std::move(done));
}

void PostgresStore::update_message_content(std::string message_id, std::string editor,
                                           std::string content, Callback<Message> done) {
  write<Message>(
      [id = std::move(message_id), editor = std::move(editor), content = std::move(content)](
          Connection& db) { return postgres::update_message_content(db, id, editor, content); },
      std::move(done));
}

void PostgresStore::unread_counts(std::string user_id, Callback<std::vector<UnreadCount>> done) {
  read<std::vector<UnreadCount>>(
      [id = std::move(user_id)](Connection& db) { return postgres::unread_counts(db, id); },
      std::move(done));
}

void PostgresStore::room_partners(std::string user_id, Callback<std::vector<std::string>> done) {
  read<std::vector<std::string>>(
      [id = std::move(user_id)](Connection& db) { return postgres::room_partners(db, id); },
      std::move(done));
}

void PostgresStore::import_batch(ImportBatch batch, Callback<ImportBatchResult> done) {
  write<ImportBatchResult>(
      [b = std::move(batch)](Connection& db) { return postgres::import_batch(db, b); },
      std::move(done));
}

}  // namespace cz::store::postgres
