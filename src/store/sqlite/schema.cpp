#include "store/sqlite/schema.hpp"

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

// Version 3: messages are ordered by (created_at, id) (store/rules.hpp): imported messages keep
// the original's ids (cuids, ObjectIds), which do not sort with ours, so the room index orders
// by time first. For our own messages the order is the same as before.
constexpr const char* kV3 = R"sql(
DROP INDEX messages_by_room;
CREATE INDEX messages_by_room ON messages (room_id, created_at, id);
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
    {2, kV2},
    {3, kV3},
};

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

int schema_version(Connection& db) {
  Query q = db.query("PRAGMA user_version");
  return q.step() ? static_cast<int>(q.integer(0)) : 0;
}

int apply_migrations(Connection& db, std::span<const Migration> migrations) {
  // IMMEDIATE takes the write lock first, so two processes opening one file cannot both migrate.
  db.exec("BEGIN IMMEDIATE");
  try {
    const int current = schema_version(db);
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (current > latest) {
      throw StoreFailure(make_error(
          kStoreError, fmt::format("database schema version {} is newer than this build knows ({})",
                                   current, latest)));
    }
    int applied = 0;
    for (const Migration& m : migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      // PRAGMA takes no parameters; the version is our own integer.
      db.exec(fmt::format("PRAGMA user_version = {}", m.version).c_str());
      ++applied;
    }
    db.exec("COMMIT");
    return applied;
  } catch (...) {
    if (db.in_transaction()) db.exec("ROLLBACK");
    throw;
  }
}

}  // namespace cz::store::sqlite
