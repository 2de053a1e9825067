#include "store/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include "store/postgres/ops.hpp"
#include "store/postgres/schema.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace cz::store::postgres {
namespace {

// The largest id we generated: ours start with '0' until the year 3084; imported ones
// (`cz-messenger import`: the original's cuids start with 'c', ObjectIds with '1'-'f' since
// 1978) sort above them and must not hide our maximum. Ids are keys only (order is the row's
// position, message_ops.cpp), but they stay unique and growing across restarts.
constexpr const char* kOwnIdsMaxSql = "SELECT max(id) FROM messages WHERE id < '1'";

void advance_past_stored_ids(const PgResult& max_id) {
  if (max_id.rows() == 1 && !max_id.is_null(0, 0)) advance_ids_past(max_id.text(0, 0));
}

std::unique_ptr<Connection> connect(const PostgresOptions& options, std::string name, bool reader,
                                    decltype(ConnectionOptions::retry_begin) retry_begin = {}) {
  ConnectionOptions o;
  o.url = options.url;
  o.name = std::move(name);
  o.connect_timeout_s = options.connect_timeout_s;
  o.retry_lost_reads = reader;
  o.pipeline = !reader && options.pipeline;
  if (!reader) {
    o.retry_begin = std::move(retry_begin);
    // One connection: retried often enough that a write waiting out an outage sees the server
    // back within a quarter second.
    o.max_backoff = std::chrono::milliseconds(250);
  }
  return std::make_unique<Connection>(std::move(o));
}

}  // namespace

PostgresStore::PostgresStore(PostgresOptions options) : options_(std::move(options)) {
  const PostgresOptions& o = options_;
  auto write_conn = connect(o, "writer", false, [this](const StoreFailure& f, auto trying) {
    return wait_for_server(f, trying);
  });
  const int applied = apply_migrations(*write_conn, schema_migrations());
  spdlog::info("store: PostgreSQL {} (schema version {}, {} migration(s) applied now)",
               write_conn->describe(), schema_version(*write_conn), applied);
  // As the SQLite store: ids keep growing across a restart even if the clock stepped back.
  advance_past_stored_ids(write_conn->exec(kOwnIdsMaxSql));

  std::vector<std::unique_ptr<Connection>> read_conns;
  const std::size_t readers = o.reader_connections ? o.reader_connections : 1;
  for (std::size_t i = 0; i < readers; ++i) {
    read_conns.push_back(connect(o, "reader " + std::to_string(i + 1), true));
  }
  writer_ = std::make_unique<GroupCommitWriter<Connection>>(
      std::move(write_conn), o.max_batch ? o.max_batch : 1, o.max_queued_writes, errors_);
  readers_ =
      std::make_unique<ReaderPool<Connection>>(std::move(read_conns), o.max_queued_reads, errors_);
}

bool PostgresStore::reserve_queue_bytes(std::size_t bytes) {
  const std::size_t before = queued_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  if (before + bytes > options_.max_queued_bytes) {
    queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    log_queue_depth("queue full, refusing writes");
    return false;
  }
  // Over 1 MiB queued means PostgreSQL is not keeping up: say so (at most once a second).
  if (before + bytes > (1u << 20)) log_queue_depth("PostgreSQL is not keeping up");
  return true;
}

Error PostgresStore::queue_full_error() const {
  return make_error(kStoreUnavailable, "store overloaded: too many queued writes");
}

Error PostgresStore::waited_too_long_error() const {
  return make_error(kStoreUnavailable,
                    fmt::format("store overloaded: the write waited over {} ms for PostgreSQL",
                                options_.queue_wait.count()));
}

bool PostgresStore::wait_for_server(const StoreFailure& failure,
                                    std::chrono::steady_clock::duration trying) {
  using namespace std::chrono;
  if (stopping_.load(std::memory_order_relaxed)) return false;
  const auto now = steady_clock::now();
  std::int64_t since = unreachable_since_ns_.load(std::memory_order_relaxed);
  if (since == 0) {
    since = duration_cast<nanoseconds>((now - trying).time_since_epoch()).count();
    unreachable_since_ns_.store(since, std::memory_order_relaxed);
  }
  const auto down = now - steady_clock::time_point(nanoseconds(since));
  if (down >= options_.queue_wait) {
    log_queue_depth("PostgreSQL unreachable past the queue wait, refusing writes");
    return false;
  }
  static_cast<void>(failure);
  log_queue_depth("PostgreSQL unreachable, writes wait");
  std::this_thread::sleep_for(
      std::min<steady_clock::duration>(milliseconds(50), options_.queue_wait - down));
  return true;
}

void PostgresStore::log_queue_depth(const char* why) {
  const std::int64_t now = now_ms();
  std::int64_t last = last_depth_log_ms_.load(std::memory_order_relaxed);
  if (now - last < 1000 || !last_depth_log_ms_.compare_exchange_strong(last, now)) return;
  spdlog::warn("store: {}: {} writes queued ({} KiB; bounds: {} KiB, {} ms)", why,
               writer_ ? writer_->queued() : 0, queued_bytes_.load(std::memory_order_relaxed) >> 10,
               options_.max_queued_bytes >> 10, options_.queue_wait.count());
}

PostgresStore::~PostgresStore() {
  shutdown();
}

void PostgresStore::shutdown() {
  stopping_ = true;  // what is queued is committed now or refused, not waited for
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
  const std::size_t bytes = req.shop_json.size() + req.buyer_info_json.size() + 128;
  write<CreateRoomResult>(
      bytes, [req = std::move(req)](Connection& db) { return postgres::create_room(db, req); },
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
  write<Room>(
      room_id.size(),
      [id = std::move(room_id), side](Connection& db) {
        return postgres::enable_room(db, id, side);
      },
      std::move(done));
}

void PostgresStore::set_pinned(std::string room_id, Role side, bool pinned, Callback<Room> done) {
  write<Room>(
      room_id.size(),
      [id = std::move(room_id), side, pinned](Connection& db) {
        return postgres::set_pinned(db, id, side, pinned);
      },
      std::move(done));
}

void PostgresStore::delete_room_side(std::string room_id, Role side, Callback<Room> done) {
  write<Room>(
      room_id.size(),
      [id = std::move(room_id), side](Connection& db) {
        return postgres::delete_room_side(db, id, side);
      },
      std::move(done));
}

void PostgresStore::insert_message(NewMessage msg, Callback<InsertMessageResult> done) {
  const std::size_t bytes = msg.content.size() + msg.room_id.size() + msg.from.size() +
                            msg.to.size() + msg.client_message_id.size();
  write<InsertMessageResult>(
      bytes, [m = std::move(msg)](Connection& db) { return postgres::insert_message(db, m); },
      std::move(done));
}

void PostgresStore::mark_seen(std::string room_id, std::string reader,
                              std::optional<std::vector<std::string>> message_ids,
                              Callback<std::vector<std::string>> done) {
  const std::size_t bytes =
      room_id.size() + reader.size() + (message_ids ? message_ids->size() * 32 : 0);
  write<std::vector<std::string>>(
      bytes,
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
  const std::size_t bytes = message_id.size() + editor.size() + content.size();
  write<Message>(
      bytes,
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
  std::size_t bytes = 0;
  for (const Room& r : batch.rooms) bytes += r.shop_json.size() + r.buyer_info_json.size() + 256;
  for (const Message& m : batch.messages) bytes += m.content.size() + 256;
  // One batch is one write: it waits like the others, but it is never too large on its own
  // (the importer sends one batch at a time; its size is --batch, not the queue's business).
  bytes = std::min(bytes, options_.max_queued_bytes / 2);
  write<ImportBatchResult>(
      bytes, [b = std::move(batch)](Connection& db) { return postgres::import_batch(db, b); },
      std::move(done));
}

}  // namespace cz::store::postgres
