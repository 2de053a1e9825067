#pragma once
// The Store every backend shares: each operation becomes a job (operations.hpp over the
// backend's primitives, backend.hpp), writes go to the group-commit writer (one thread, one
// transaction per batch), reads to the reader pool, refusals to the error dispatcher.
//
// A backend's Store class derives from StoreFront<Backend>: its constructor opens the
// connections (schema migrations, id generator, whatever the database needs) and calls start();
// its destructor calls shutdown(). What stays with the backend is what only that database has
// (SQLite's checkpointer, PostgreSQL's pipelining inside its connection).
//
// Backpressure (optional, WriteLimits; PostgreSQL uses it): while the database is slow or
// unreachable, writes wait in the queue up to a bound of bytes and of time, then are refused
// with STORE_UNAVAILABLE. Without limits a write costs what a job costs, nothing more (the
// SQLite hot path).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/backend.hpp"
#include "store/error_dispatcher.hpp"
#include "store/group_commit_writer.hpp"
#include "store/job.hpp"
#include "store/operations.hpp"
#include "store/reader_pool.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace cz::store {

// Bounds of the write queue while the database does not keep up (store/README.md).
struct WriteLimits {
  // A write that has waited longer is refused instead of run; while the database cannot be
  // reached, the writer keeps trying to begin a transaction until it has been unreachable that
  // long (wait_while_unreachable).
  std::chrono::milliseconds queue_wait{5000};
  // Queued writes beyond this (their data, estimated) are refused at once.
  std::size_t max_queued_bytes = 32u << 20;
};

struct FrontOptions {
  std::size_t max_batch = 256;  // writes per transaction
  std::size_t max_queued_writes = 10'000;
  std::size_t max_queued_reads = 10'000;
  std::chrono::microseconds commit_window{0};  // group_commit_writer.hpp
};

template <typename B>
class StoreFront : public Store {
 public:
  using Connection = typename B::Connection;

  StoreFront(const StoreFront&) = delete;
  StoreFront& operator=(const StoreFront&) = delete;
  ~StoreFront() override { stop_workers(); }

  void create_room(CreateRoom req, Callback<CreateRoomResult> done) override {
    const std::size_t bytes = req.shop_json.size() + req.buyer_info_json.size() + 128;
    write<CreateRoomResult>(
        bytes, [req = std::move(req)](Connection& db) { return ops::create_room<B>(db, req); },
        std::move(done));
  }
  void get_room(std::string room_id, Callback<std::optional<Room>> done) override {
    read<std::optional<Room>>(
        [id = std::move(room_id)](Connection& db) { return ops::get_room<B>(db, id); },
        std::move(done));
  }
  void list_rooms(RoomQuery query, Callback<std::vector<Room>> done) override {
    read<std::vector<Room>>(
        [q = std::move(query)](Connection& db) { return ops::list_rooms<B>(db, q); },
        std::move(done));
  }
  void enable_room(std::string room_id, Role side, Callback<Room> done) override {
    const std::size_t bytes = room_id.size();
    write<Room>(
        bytes,
        [id = std::move(room_id), side](Connection& db) {
          return ops::enable_room<B>(db, id, side);
        },
        std::move(done));
  }
  void set_pinned(std::string room_id, Role side, bool pinned, Callback<Room> done) override {
    const std::size_t bytes = room_id.size();
    write<Room>(
        bytes,
        [id = std::move(room_id), side, pinned](Connection& db) {
          return ops::set_pinned<B>(db, id, side, pinned);
        },
        std::move(done));
  }
  void delete_room_side(std::string room_id, Role side, Callback<Room> done) override {
    const std::size_t bytes = room_id.size();
    write<Room>(
        bytes,
        [id = std::move(room_id), side](Connection& db) {
          return ops::delete_room_side<B>(db, id, side);
        },
        std::move(done));
  }
  void insert_message(NewMessage msg, Callback<InsertMessageResult> done) override {
    const std::size_t bytes = msg.content.size() + msg.room_id.size() + msg.from.size() +
                              msg.to.size() + msg.client_message_id.size();
    write<InsertMessageResult>(
        bytes, [m = std::move(msg)](Connection& db) { return ops::insert_message<B>(db, m); },
        std::move(done));
  }
  void mark_seen(std::string room_id, std::string reader,
                 std::optional<std::vector<std::string>> message_ids,
                 Callback<std::vector<std::string>> done) override {
    const std::size_t bytes =
        room_id.size() + reader.size() + (message_ids ? message_ids->size() * 32 : 0);
    write<std::vector<std::string>>(
        bytes,
        [id = std::move(room_id), reader = std::move(reader), ids = std::move(message_ids)](
            Connection& db) { return ops::mark_seen<B>(db, id, reader, ids); },
        std::move(done));
  }
  void list_messages(MessageQuery query, Callback<std::vector<Message>> done) override {
    read<std::vector<Message>>(
        [q = std::move(query)](Connection& db) { return ops::list_messages<B>(db, q); },
        std::move(done));
  }
  void sync_messages(SyncQuery query, Callback<std::vector<Message>> done) override {
    read<std::vector<Message>>(
        [q = std::move(query)](Connection& db) { return ops::sync_messages<B>(db, q); },
        std::move(done));
  }
  void get_message(std::string message_id, Callback<std::optional<Message>> done) override {
    read<std::optional<Message>>(
        [id = std::move(message_id)](Connection& db) { return ops::get_message<B>(db, id); },
        std::move(done));
  }
  void update_message_content(std::string message_id, std::string editor, std::string content,
                              Callback<Message> done) override {
    const std::size_t bytes = message_id.size() + editor.size() + content.size();
    write<Message>(
        bytes,
        [id = std::move(message_id), editor = std::move(editor), content = std::move(content)](
            Connection& db) { return ops::update_message_content<B>(db, id, editor, content); },
        std::move(done));
  }
  void unread_counts(std::string user_id, Callback<std::vector<UnreadCount>> done) override {
    read<std::vector<UnreadCount>>(
        [id = std::move(user_id)](Connection& db) { return ops::unread_counts<B>(db, id); },
        std::move(done));
  }
  void room_partners(std::string user_id, Callback<std::vector<std::string>> done) override {
    read<std::vector<std::string>>(
        [id = std::move(user_id)](Connection& db) { return ops::room_partners<B>(db, id); },
        std::move(done));
  }
  void import_batch(ImportBatch batch, Callback<ImportBatchResult> done) override {
    std::size_t bytes = 0;
    if (limits_) {
      for (const Room& r : batch.rooms) {
        bytes += r.shop_json.size() + r.buyer_info_json.size() + 256;
      }
      for (const Message& m : batch.messages) bytes += m.content.size() + 256;
      // One batch is one write: it waits like the others, but it is never too large on its own
      // (the importer sends one batch at a time; its size is --batch, not the queue's business).
      bytes = std::min(bytes, limits_->max_queued_bytes / 2);
    }
    write<ImportBatchResult>(
        bytes, [b = std::move(batch)](Connection& db) { return ops::import_batch<B>(db, b); },
        std::move(done));
  }

  // Commits what is queued, then stops the threads. Idempotent.
  void shutdown() override { stop_workers(); }

  StoreStats stats() const override {
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

  // Holds queued writes (they keep queueing, up to the bound) until resume_writes(): for tests
  // that need a known batch, and for maintenance such as copying a file. shutdown() still
  // commits what is queued.
  void pause_writes() { writer_->pause(); }
  void resume_writes() { writer_->resume(); }

 protected:
  explicit StoreFront(std::optional<WriteLimits> limits = std::nullopt) : limits_(limits) {}

  // Starts the writer on `writer` and one reader thread per connection of `readers`.
  void start(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
             const FrontOptions& options) {
    writer_ = std::make_unique<GroupCommitWriter<Connection>>(
        std::move(writer), std::max<std::size_t>(options.max_batch, 1), options.max_queued_writes,
        errors_, options.commit_window);
    readers_ = std::make_unique<ReaderPool<Connection>>(std::move(readers),
                                                        options.max_queued_reads, errors_);
  }

  // Stops the writer (after it committed what is queued) and the readers, closing their
  // connections. Returns false when they were stopped already.
  bool stop_workers() {
    stopping_.store(true, std::memory_order_relaxed);  // queued writes are not waited for
    if (stopped_.exchange(true)) return false;
    if (writer_) writer_->stop();
    if (readers_) readers_->stop();
    return true;
  }

  const WriterCounters& writer_counters() const { return writer_->counters(); }
  ErrorDispatcher& errors() { return errors_; }

  // For a backend that acknowledges writes before its tables hold them (SQLite's appender,
  // sqlite/unindexed.hpp): while `pending()` is true, every read is sent through the writer
  // first, whose next transaction brings the tables up to date.
  void route_reads_through_writer_while(std::function<bool()> pending) {
    writer_pending_ = std::move(pending);
  }
  // Queues an empty write: the writer's next transaction starts, and whatever the backend does
  // at the start of one (index what waits) happens without waiting for another write.
  void nudge_writer() {
    submit_empty_write([](Result<Unit>) {});
  }

  // For a connection that cannot begin a transaction because the database is unreachable:
  // waits a little and returns true while it has been unreachable for less than the queue wait
  // (writes keep waiting), false afterwards or while stopping (they are refused). `trying`: how
  // long this begin has been trying. Needs WriteLimits.
  bool wait_while_unreachable(std::chrono::steady_clock::duration trying) {
    using namespace std::chrono;
    if (stopping_.load(std::memory_order_relaxed) || !limits_) return false;
    const auto now = steady_clock::now();
    std::int64_t since = unreachable_since_ns_.load(std::memory_order_relaxed);
    if (since == 0) {
      since = duration_cast<nanoseconds>((now - trying).time_since_epoch()).count();
      unreachable_since_ns_.store(since, std::memory_order_relaxed);
    }
    const auto down = now - steady_clock::time_point(nanoseconds(since));
    if (down >= limits_->queue_wait) {
      log_queue_depth("unreachable past the queue wait, refusing writes");
      return false;
    }
    log_queue_depth("unreachable, writes wait");
    std::this_thread::sleep_for(
        std::min<steady_clock::duration>(milliseconds(50), limits_->queue_wait - down));
    return true;
  }

 private:
  template <typename T, typename Op>
  void read(Op op, Callback<T> done) {
    auto job = make_job<Connection, T>(std::move(op), std::move(done));
    if (writer_pending_ && writer_pending_()) {
      read_after_writer(std::move(job));
      return;
    }
    readers_->submit(std::move(job));
  }

  // Runs `job` on a reader once the writer has committed a transaction begun after this call.
  void read_after_writer(std::unique_ptr<Job<Connection>> job) {
    auto held = std::make_shared<std::unique_ptr<Job<Connection>>>(std::move(job));
    submit_empty_write([this, held](Result<Unit> written) {
      if (!written.ok()) {
        (*held)->set_error(written.error());
        (*held)->complete();
        return;
      }
      readers_->submit(std::move(*held));
    });
  }

  // A write that changes nothing: `then` runs once the transaction it ran in has committed.
  void submit_empty_write(Callback<Unit> then) {
    writer_->submit(make_job<Connection, Unit>([](Connection&) { return Result<Unit>(Unit{}); },
                                               std::move(then)));
  }

  // Queues a write of about `bytes` of data (counted only under WriteLimits).
  template <typename T, typename Op>
  void write(std::size_t bytes, Op op, Callback<T> done) {
    if (!limits_) {
      writer_->submit(make_job<Connection, T>(std::move(op), std::move(done)));
      return;
    }
    bytes += kWriteOverheadBytes;
    if (!reserve_queue_bytes(bytes)) {
      errors_.refuse(make_job<Connection, T>(std::move(op), std::move(done)),
                     make_error(kStoreUnavailable, "store overloaded: too many queued writes"));
      return;
    }
    auto release = [this, bytes, done = std::move(done)](Result<T> r) {
      queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      done(std::move(r));
    };
    auto timed = [this, queued_at = std::chrono::steady_clock::now(),
                  op = std::move(op)](Connection& db) -> Result<T> {
      if (std::chrono::steady_clock::now() - queued_at > limits_->queue_wait) {
        return make_error(kStoreUnavailable,
                          fmt::format("store overloaded: the write waited over {} ms for {}",
                                      limits_->queue_wait.count(), B::kName));
      }
      unreachable_since_ns_.store(0, std::memory_order_relaxed);  // a transaction is open
      return op(db);
    };
    writer_->submit(make_job<Connection, T>(std::move(timed), Callback<T>(std::move(release))));
  }
  static constexpr std::size_t kWriteOverheadBytes = 256;  // the job, its strings' headers

  bool reserve_queue_bytes(std::size_t bytes) {
    const std::size_t before = queued_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    if (before + bytes > limits_->max_queued_bytes) {
      queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
      log_queue_depth("queue full, refusing writes");
      return false;
    }
    // Over 1 MiB queued means the database is not keeping up: say so (at most once a second).
    if (before + bytes > (1u << 20)) log_queue_depth("is not keeping up");
    return true;
  }

  void log_queue_depth(const char* why) {
    const std::int64_t now = now_ms();
    std::int64_t last = last_depth_log_ms_.load(std::memory_order_relaxed);
    if (now - last < 1000 || !last_depth_log_ms_.compare_exchange_strong(last, now)) return;
    spdlog::warn("store: {} {}: {} writes queued ({} KiB; bounds: {} KiB, {} ms)", B::kName, why,
                 writer_ ? writer_->queued() : 0,
                 queued_bytes_.load(std::memory_order_relaxed) >> 10,
                 limits_->max_queued_bytes >> 10, limits_->queue_wait.count());
  }

  const std::optional<WriteLimits> limits_;
  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<std::int64_t> last_depth_log_ms_{0};
  // When the writer first found the database unreachable (steady clock, ns); 0 while reachable.
  std::atomic<std::int64_t> unreachable_since_ns_{0};
  std::function<bool()> writer_pending_;  // route_reads_through_writer_while
  ErrorDispatcher errors_;  // before the workers: outlives them (they refuse through it)
  std::unique_ptr<GroupCommitWriter<Connection>> writer_;
  std::unique_ptr<ReaderPool<Connection>> readers_;
};

}  // namespace cz::store
