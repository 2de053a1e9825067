#pragma once
// The storage interface. Implementations: sqlite/ (embedded default) and postgres/ (scale-out).
//
// Every operation is asynchronous: it is queued to the store's own threads and `done` is called
// there (never on the caller's stack), so the event loop never waits on disk or network. Callers
// post the result back to their own executor. Writes are batched: one transaction commits many
// queued writes (group commit); `done` is called only after the commit, so an acknowledgement
// built on it means the data is durable.
//
// One exception: the SQLite store's insert_message may call `done` on the caller's thread before
// it returns (sqlite_store.hpp, `inline_appends`: the message is checked against cached pages
// and appended to its log in the page cache, no fsync, no lock held by anyone for long). Callers
// of insert_message must therefore not hold a lock that `done` takes; the messenger's callbacks
// post to an executor first (messenger/conversation.cpp).
//
// Errors come back as cz::Error with codes: ROOM_NOT_FOUND, MESSAGE_NOT_FOUND, FORBIDDEN,
// STORE_UNAVAILABLE (database down or overloaded; retryable), STORE_ERROR.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/model.hpp"
#include "util/result.hpp"

namespace cz::store {

template <typename T>
using Callback = std::function<void(Result<T>)>;

struct CreateRoom {
  std::string type = "BS";
  std::string buyer;
  std::string seller;
  std::string shop_id;
  std::string creator;
  std::string shop_json = "null";
  std::string buyer_info_json = "null";
};

enum class CreateOutcome { Created, Existed, Reenabled };
struct CreateRoomResult {
  Room room;
  CreateOutcome outcome = CreateOutcome::Created;
};

struct NewMessage {
  std::string room_id;
  std::string from;
  std::string to;
  MessageType type = MessageType::Text;
  std::string content;
  std::string client_message_id;  // optional; unique per (room_id, from) when set
};

struct InsertMessageResult {
  Message message;
  bool duplicate = false;  // a retry: the message was stored before and is returned as it was
};

struct RoomQuery {
  std::string user_id;
  Role role = Role::Buyer;
  std::optional<std::string> name;  // case-insensitive substring of the other side's name
  std::optional<bool> pinned;       // only pinned / only unpinned
};

enum class Order { OldestFirst, NewestFirst };
struct MessageQuery {
  std::string room_id;
  std::size_t limit = 15;
  // Cursor: only messages strictly before (NewestFirst) or after (OldestFirst) this message id.
  std::optional<std::string> cursor_id;
  // Only messages created before this time (the original's `from` parameter).
  std::optional<TimeMs> before;
  Order order = Order::OldestFirst;
};

struct SyncQuery {
  std::string user_id;
  std::optional<std::string> since_id;  // messages with id greater than this
  std::optional<TimeMs> since_time;     // or created after this time
  std::size_t limit = 100;
};

struct UnreadCount {
  std::string room_id;
  std::int64_t unseen = 0;
};

// Bulk load of another service's data (cz-messenger import, src/import/): rooms and messages
// stored as given, ids and times kept, nothing derived (a room's counters and last messages are
// the document's; a message touches no room). The caller checks that each message's room exists
// (in this batch or the store) and that sender and receiver are its members.
struct ImportBatch {
  std::vector<Room> rooms;  // last messages by reference: only message.id and is_seen are used
  std::vector<Message> messages;
  bool dry_run = false;  // write nothing, only tell which documents are stored already
};

enum class ImportOutcome {
  Imported,
  Duplicate,  // a room or message with this id is stored already: left as it is
  // Stored without its client_message_id: the sender had used it on another stored message
  // (the original never deduplicated retries, so its data has such pairs).
  ImportedWithoutClientId,
};

struct ImportBatchResult {
  std::vector<ImportOutcome> rooms;     // one per ImportBatch::rooms, same order
  std::vector<ImportOutcome> messages;  // one per ImportBatch::messages
};

// Counters for tests and metrics (monotonic unless said otherwise).
struct StoreStats {
  std::uint64_t write_transactions = 0;   // committed write transactions (group commits)
  std::uint64_t writes_committed = 0;     // write requests delivered after a successful commit
  std::uint64_t failed_transactions = 0;  // batches (or parts of one) rolled back by a failure
  std::uint64_t largest_batch = 0;        // most writes taken into one transaction so far
  std::uint64_t rejected = 0;             // requests refused: queue full or store shut down
  std::uint64_t queued_writes = 0;        // gauge: waiting for the writer now
  std::uint64_t queued_reads = 0;         // gauge: waiting for a reader now
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates the room, or returns the existing one; an existing room that the creator's side had
  // deleted is re-enabled for both sides (as the original does).
  virtual void create_room(CreateRoom req, Callback<CreateRoomResult> done) = 0;
  virtual void get_room(std::string room_id, Callback<std::optional<Room>> done) = 0;
  // Rooms of a user on one side, excluding rooms that side deleted; sorted pinned first (most
  // recently pinned first), then by that side's last message time, newest first.
  virtual void list_rooms(RoomQuery query, Callback<std::vector<Room>> done) = 0;
  // Clears `side`'s deletion flag.
  virtual void enable_room(std::string room_id, Role side, Callback<Room> done) = 0;
  // Sets (pin) or clears (unpin) `side`'s pin time.
  virtual void set_pinned(std::string room_id, Role side, bool pinned, Callback<Room> done) = 0;
  // Per-side soft delete: sets that side's flag and time, drops its last message and pin.
  virtual void delete_room_side(std::string room_id, Role side, Callback<Room> done) = 0;

  // Stores a message and, in the same transaction, sets both sides' last message, increments
  // the receiver's unseen counter and un-deletes the room for the receiver. Idempotent on
  // (from, client_message_id).
  virtual void insert_message(NewMessage msg, Callback<InsertMessageResult> done) = 0;
  // Marks messages of `room_id` addressed to `reader` seen (only `message_ids` when given, all
  // otherwise), resets the reader's unseen counter and marks their last message seen. Returns
  // the ids actually changed.
  virtual void mark_seen(std::string room_id, std::string reader,
                         std::optional<std::vector<std::string>> message_ids,
                         Callback<std::vector<std::string>> done) = 0;
  virtual void list_messages(MessageQuery query, Callback<std::vector<Message>> done) = 0;
  // Messages to or from `user_id` across their rooms, oldest first (catch-up after reconnect).
  virtual void sync_messages(SyncQuery query, Callback<std::vector<Message>> done) = 0;
  virtual void get_message(std::string message_id, Callback<std::optional<Message>> done) = 0;
  // Only the sender may edit; FORBIDDEN otherwise.
  virtual void update_message_content(std::string message_id, std::string editor,
                                      std::string content, Callback<Message> done) = 0;
  // Per-room unseen counts of the user (both sides), rooms with a count > 0.
  virtual void unread_counts(std::string user_id, Callback<std::vector<UnreadCount>> done) = 0;
  // Users who share a room with `user_id` (for presence notifications).
  virtual void room_partners(std::string user_id, Callback<std::vector<std::string>> done) = 0;

  // Stores a batch in one transaction (all of it or, on an error, none of it). Rooms first.
  virtual void import_batch(ImportBatch batch, Callback<ImportBatchResult> done) = 0;

  // Finishes queued work and stops the store's threads. Requests made afterwards fail with
  // STORE_UNAVAILABLE (still off the caller's stack while the Store object lives).
  virtual void shutdown() = 0;

  virtual StoreStats stats() const { return {}; }
};

// Opens a store from a URL: "sqlite:PATH" or "postgres://..." / "postgresql://...".
// Throws std::runtime_error with a readable message on a bad URL or an unusable database.
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace cz::store
