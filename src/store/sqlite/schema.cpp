// Schema migrations (Backend::apply_migrations). The database's version is PRAGMA
// user_version; opening the store applies the migrations above it in ONE transaction together
// with the new version number, so a crash mid-way leaves the old schema.
#include "store/sqlite/backend.hpp"

#include <fmt/format.h>

#include <string>

namespace cz::store::sqlite {
namespace {

// Version 1. Notes on choices that the PostgreSQL schema should mirror:
// - Times are INTEGER milliseconds since the epoch (bigint in PostgreSQL).
// - A message's created_at always equals the timestamp encoded in its id (util/ids.hpp), so time
//   bounds are turned into id bounds and served by the (…, id) indexes.
// - Each side's last message is a reference to the message (plus that side's "seen" flag and the
//   time used for sorting), not a copy: an edited message shows edited in the room list too.
//   There is deliberately no FOREIGN KEY from rooms to messages (messages already reference
//   rooms; a cycle would need deferred constraints in PostgreSQL).
// - client_message_id is NULL when the client sent none, so the partial unique index only
//   constrains real ids.
constexpr const char* kV1 = R"sql(
CREATE TABLE rooms (
  id                     TEXT PRIMARY KEY,
  type                   TEXT NOT NULL,
  creator                TEXT NOT NULL,
  buyer                  TEXT NOT NULL,
  seller                 TEXT NOT NULL,
  shop_id                TEXT NOT NULL,
  shop_json              TEXT NOT NULL CHECK (json_valid(shop_json)),
  buyer_info_json        TEXT NOT NULL CHECK (json_valid(buyer_info_json)),
  buyer_last_message_id  TEXT,
  seller_last_message_id TEXT,
  buyer_last_seen        INTEGER NOT NULL DEFAULT 0,
  seller_last_seen       INTEGER NOT NULL DEFAULT 0,
  buyer_unseen           INTEGER NOT NULL DEFAULT 0,
  seller_unseen          INTEGER NOT NULL DEFAULT 0,
  pinned_by_buyer        INTEGER,
  pinned_by_seller       INTEGER,
  deleted_by_buyer       INTEGER NOT NULL DEFAULT 0,
  deleted_by_seller      INTEGER NOT NULL DEFAULT 0,
  buyer_deleted_at       INTEGER,
  seller_deleted_at      INTEGER,
  enable                 INTEGER NOT NULL DEFAULT 1,
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
);
CREATE INDEX rooms_by_buyer ON rooms (buyer, buyer_last_message_id);
CREATE INDEX rooms_by_seller ON rooms (seller, seller_last_message_id);

CREATE TABLE messages (
  id                TEXT PRIMARY KEY,
  room_id           TEXT NOT NULL REFERENCES rooms (id),
  sender            TEXT NOT NULL,
  recipient         TEXT NOT NULL,
  type              TEXT NOT NULL CHECK (type IN ('TEXT', 'IMAGE', 'EMOJI')),
  content           TEXT NOT NULL,
  client_message_id TEXT,
  is_seen           INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX messages_by_room ON messages (room_id, id);
CREATE INDEX messages_by_recipient ON messages (recipient, id);
CREATE INDEX messages_by_sender ON messages (sender, id);
CREATE UNIQUE INDEX messages_client_id ON messages (sender, client_message_id)
  WHERE client_message_id IS NOT NULL;
-- Unread messages only: keeps mark_seen and the unseen recount proportional to what is unread.
CREATE INDEX messages_unseen ON messages (room_id, recipient) WHERE is_seen = 0;
)sql";

// Version 2: fewer pages written per message (each index a message touches is one more page in
// the WAL at every commit: measured, they were most of the writer's cost).
// - messages is keyed by its id directly (WITHOUT ROWID): one b-tree instead of a rowid table
//   plus a separate primary-key index. Ids grow with time, so inserts append at its right edge.
// - messages_by_sender / messages_by_recipient served only `sync`, which now walks the user's
//   rooms instead (messages_by_room): every message of a room is between its two members.
// - rooms_by_buyer / rooms_by_seller no longer include the side's last message: that column
//   changed with every message (two index updates each time), and listing a user's rooms sorts
//   pinned rooms first anyway, so the index never served that order.
constexpr const char* kV2 = R"sql(
CREATE TABLE messages_v2 (
  id                TEXT PRIMARY KEY,
  room_id           TEXT NOT NULL REFERENCES rooms (id),
  sender            TEXT NOT NULL,
  recipient         TEXT NOT NULL,
  type              TEXT NOT NULL CHECK (type IN ('TEXT', 'IMAGE', 'EMOJI')),
  content           TEXT NOT NULL,
  client_message_id TEXT,
  is_seen           INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO messages_v2 (id, room_id, sender, recipient, type, content, client_message_id,
                         is_seen, created_at, updated_at)
  SELECT id, room_id, sender, recipient, type, content, client_message_id, is_seen, created_at,
         updated_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;
CREATE INDEX messages_by_room ON messages (room_id, id);
CREATE UNIQUE INDEX messages_client_id ON messages (sender, client_message_id)
  WHERE client_message_id IS NOT NULL;
CREATE INDEX messages_unseen ON messages (room_id, recipient) WHERE is_seen = 0;

DROP INDEX rooms_by_buyer;
DROP INDEX rooms_by_seller;
CREATE INDEX rooms_by_buyer ON rooms (buyer);
CREATE INDEX rooms_by_seller ON rooms (seller);
)sql";

// Version 3: a new message writes only the pages of its own room (measured at 5,000 msg/s over
// 100 rooms: v2 wrote ~5.7 WAL frames per message, each a random page: messages_by_room,
// messages_client_id and messages_unseen entries, and the room row, rewritten by every message).
// - Messages are ordered by (created_at, id) (store/rules.hpp): for our own ids that is id order,
//   and it also places imported messages (the original's ids do not sort with ours) by time.
// - messages is clustered in that order per room (PRIMARY KEY (room_id, created_at, id)): a
//   message is appended at its room's end, history pages are contiguous, and messages_by_room is
//   gone. messages_by_id serves lookups by id; our ids grow with time, so it appends at its right
//   edge (one page shared by every message of a batch).
// - client_message_id is unique per room and sender (a retry is of one message, to one room), so
//   its entries sit with the room's other entries.
// - The room row no longer changes with every message: its last message (per side), unread
//   counts, "last seen" flags, the un-deleting of a deleted side and updated_at are derived from
//   the room's messages when a room is read (rows.cpp), bounded per side by two message keys
//   (created_at, id) kept in the row and changed only by rare operations: {side}_cleared_* (the
//   room's last message when that side deleted it: it and older messages no longer count for
//   that side) and {side}_seen_* (every message to that side before it is seen: unread counts
//   scan from there).
constexpr const char* kV3 = R"sql(
CREATE TABLE messages_v3 (
  id                TEXT NOT NULL,
  room_id           TEXT NOT NULL REFERENCES rooms (id),
  sender            TEXT NOT NULL,
  recipient         TEXT NOT NULL,
  type              TEXT NOT NULL CHECK (type IN ('TEXT', 'IMAGE', 'EMOJI')),
  content           TEXT NOT NULL,
  client_message_id TEXT,
  is_seen           INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  PRIMARY KEY (room_id, created_at, id)
) WITHOUT ROWID;
INSERT INTO messages_v3 (id, room_id, sender, recipient, type, content, client_message_id,
                         is_seen, created_at, updated_at)
  SELECT id, room_id, sender, recipient, type, content, client_message_id, is_seen, created_at,
         updated_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v3 RENAME TO messages;
CREATE UNIQUE INDEX messages_by_id ON messages (id);
CREATE UNIQUE INDEX messages_client_id ON messages (room_id, sender, client_message_id)
  WHERE client_message_id IS NOT NULL;

ALTER TABLE rooms ADD COLUMN buyer_cleared_at INTEGER;
ALTER TABLE rooms ADD COLUMN buyer_cleared_id TEXT;
ALTER TABLE rooms ADD COLUMN seller_cleared_at INTEGER;
ALTER TABLE rooms ADD COLUMN seller_cleared_id TEXT;
ALTER TABLE rooms ADD COLUMN buyer_seen_at INTEGER;
ALTER TABLE rooms ADD COLUMN buyer_seen_id TEXT;
ALTER TABLE rooms ADD COLUMN seller_seen_at INTEGER;
ALTER TABLE rooms ADD COLUMN seller_seen_id TEXT;
-- A side without a last message had deleted the room since its last message.
UPDATE rooms SET (buyer_cleared_at, buyer_cleared_id) = (SELECT created_at, id FROM messages
    WHERE room_id = rooms.id ORDER BY created_at DESC, id DESC LIMIT 1)
  WHERE buyer_last_message_id IS NULL;
UPDATE rooms SET (seller_cleared_at, seller_cleared_id) = (SELECT created_at, id FROM messages
    WHERE room_id = rooms.id ORDER BY created_at DESC, id DESC LIMIT 1)
  WHERE seller_last_message_id IS NULL;
ALTER TABLE rooms DROP COLUMN buyer_last_message_id;
ALTER TABLE rooms DROP COLUMN seller_last_message_id;
ALTER TABLE rooms DROP COLUMN buyer_last_seen;
ALTER TABLE rooms DROP COLUMN seller_last_seen;
ALTER TABLE rooms DROP COLUMN buyer_unseen;
ALTER TABLE rooms DROP COLUMN seller_unseen;
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
    {2, kV2},
    {3, kV3},
};

}  // namespace

std::span<const Migration> Backend::schema_migrations() {
  return kMigrations;
}

int Backend::schema_version(Connection& db) {
  Query q = db.query("PRAGMA user_version");
  return q.step() ? static_cast<int>(q.integer(0)) : 0;
}

int Backend::apply_migrations(Connection& db, std::span<const Migration> migrations) {
  // IMMEDIATE takes the write lock first, so two processes opening one file cannot both migrate.
  db.exec("BEGIN IMMEDIATE");
  try {
    const int applied = apply_pending(migrations, schema_version(db), [&](const Migration& m) {
      db.exec(m.sql);
      // PRAGMA takes no parameters; the version is our own integer.
      db.exec(fmt::format("PRAGMA user_version = {}", m.version).c_str());
    });
    db.exec("COMMIT");
    return applied;
  } catch (...) {
    if (db.in_transaction()) db.exec("ROLLBACK");
    throw;
  }
}

}  // namespace cz::store::sqlite
