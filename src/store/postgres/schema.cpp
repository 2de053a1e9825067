#include "store/postgres/schema.hpp"

#include <fmt/format.h>

#include <string>

namespace cz::store::postgres {
namespace {

// Version 1: the same tables as the SQLite store (see sqlite/schema.cpp for the reasoning), with
// PostgreSQL types:
// - Keys and ids are COLLATE "C": ids compare as plain bytes (the cursor and time bounds rely on
//   it, and "~" must sort above every id), whatever the database's default collation is.
// - shop_json / buyer_info_json are `json`, not `jsonb`: json validates but keeps the text as it
//   was given (jsonb would reorder keys and respace it), and ->> still reads fields from it.
// - Flags are boolean; times are bigint milliseconds since the epoch.
constexpr const char* kV1 = R"sql(
CREATE TABLE rooms (
  id                     text COLLATE "C" PRIMARY KEY,
  type                   text NOT NULL,
  creator                text COLLATE "C" NOT NULL,
  buyer                  text COLLATE "C" NOT NULL,
  seller                 text COLLATE "C" NOT NULL,
  shop_id                text NOT NULL,
  shop_json              json NOT NULL,
  buyer_info_json        json NOT NULL,
  buyer_last_message_id  text COLLATE "C",
  seller_last_message_id text COLLATE "C",
  buyer_last_seen        boolean NOT NULL DEFAULT false,
  seller_last_seen       boolean NOT NULL DEFAULT false,
  buyer_unseen           bigint NOT NULL DEFAULT 0,
  seller_unseen          bigint NOT NULL DEFAULT 0,
  pinned_by_buyer        bigint,
  pinned_by_seller       bigint,
  deleted_by_buyer       boolean NOT NULL DEFAULT false,
  deleted_by_seller      boolean NOT NULL DEFAULT false,
  buyer_deleted_at       bigint,
  seller_deleted_at      bigint,
  enable                 boolean NOT NULL DEFAULT true,
  created_at             bigint NOT NULL,
  updated_at             bigint NOT NULL
);
CREATE INDEX rooms_by_buyer ON rooms (buyer, buyer_last_message_id);
CREATE INDEX rooms_by_seller ON rooms (seller, seller_last_message_id);

CREATE TABLE messages (
  id                text COLLATE "C" PRIMARY KEY,
  room_id           text COLLATE "C" NOT NULL REFERENCES rooms (id),
  sender            text COLLATE "C" NOT NULL,
  recipient         text COLLATE "C" NOT NULL,
  type              text NOT NULL CHECK (type IN ('TEXT', 'IMAGE', 'EMOJI')),
  content           text NOT NULL,
  client_message_id text COLLATE "C",
  is_seen           boolean NOT NULL DEFAULT false,
  created_at        bigint NOT NULL,
  updated_at        bigint NOT NULL
);
CREATE INDEX messages_by_room ON messages (room_id, id);
CREATE INDEX messages_by_recipient ON messages (recipient, id);
CREATE INDEX messages_by_sender ON messages (sender, id);
-- Dedup of client retries; the partial index leaves messages without a client id alone.
CREATE UNIQUE INDEX messages_client_id ON messages (sender, client_message_id)
  WHERE client_message_id IS NOT NULL;
-- Unread messages only: keeps mark_seen and the unseen recount proportional to what is unread.
CREATE INDEX messages_unseen ON messages (room_id, recipient) WHERE NOT is_seen;
)sql";

// Version 2: messages are ordered by (created_at, id) (store/rules.hpp): imported messages keep
// the original's ids (cuids, ObjectIds), which do not sort with ours, so the indexes that serve
// pages and sync order by time first. For our own messages the order is the same as before.
constexpr const char* kV2 = R"sql(
DROP INDEX messages_by_room;
CREATE INDEX messages_by_room ON messages (room_id, created_at, id);
DROP INDEX messages_by_recipient;
CREATE INDEX messages_by_recipient ON messages (recipient, created_at, id);
DROP INDEX messages_by_sender;
CREATE INDEX messages_by_sender ON messages (sender, created_at, id);
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
    {2, kV2},
};

// Any constant will do, as long as every node uses the same one ("cz-msgr" in ASCII).
constexpr const char* kLockSql = "SELECT pg_advisory_xact_lock(27983621695157618)";

constexpr const char* kVersionTable = R"sql(
CREATE TABLE IF NOT EXISTS cz_schema_migrations (
  version    integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

int read_version(Connection& db) {
  PgResult r = db.exec("SELECT coalesce(max(version), 0) FROM cz_schema_migrations");
  return static_cast<int>(r.integer(0, 0));
}

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

int schema_version(Connection& db) {
  PgResult exists = db.exec("SELECT to_regclass('cz_schema_migrations') IS NOT NULL");
  return exists.boolean(0, 0) ? read_version(db) : 0;
}

int apply_migrations(Connection& db, std::span<const Migration> migrations) {
  db.exec("BEGIN");
  try {
    db.exec(kLockSql);  // held until COMMIT/ROLLBACK: one migrator at a time, cluster-wide
    db.exec(kVersionTable);
    const int current = read_version(db);
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
      db.query("INSERT INTO cz_schema_migrations (version) VALUES ($1)", Params().add(m.version));
      ++applied;
    }
    db.exec("COMMIT");
    return applied;
  } catch (...) {
    db.rollback();
    throw;
  }
}

}  // namespace cz::store::postgres
