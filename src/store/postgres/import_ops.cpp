// Import primitives: rooms and messages of another service stored as given (cz-messenger
// import; the batch is store/operations.hpp's import_batch). One INSERT per document;
// ON CONFLICT DO NOTHING makes a rerun skip what is stored.
#include "store/postgres/backend.hpp"
#include "store/postgres/rows.hpp"

namespace cz::store::postgres {
namespace {

bool exists(Connection& db, const std::string& sql, const std::string& id) {
  return db.query(sql, Params().add(id)).rows() > 0;
}

// Params reference their strings: this one must be the room's own.
void add_last_message_id(Params& p, const std::optional<LastMessage>& last) {
  if (last && !last->message.id.empty())
    p.add(last->message.id);
  else
    p.add_null();
}

}  // namespace

void Backend::begin_import(Connection&) {}

bool Backend::room_exists(Connection& db, const std::string& room_id) {
  static const std::string sql = "SELECT 1 FROM rooms WHERE id = $1";
  return exists(db, sql, room_id);
}

bool Backend::message_exists(Connection& db, const std::string& message_id) {
  static const std::string sql = "SELECT 1 FROM messages WHERE id = $1";
  return exists(db, sql, message_id);
}

// The original's last messages and counters are kept as they are (PostgreSQL stores a room's
// state in its row, schema.cpp).
bool Backend::import_room(Connection& db, const Room& r) {
  static const std::string sql =
      "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, buyer_info_json, "
      "buyer_last_message_id, seller_last_message_id, buyer_last_seen, seller_last_seen, "
      "buyer_unseen, seller_unseen, pinned_by_buyer, pinned_by_seller, deleted_by_buyer, "
      "deleted_by_seller, buyer_deleted_at, seller_deleted_at, enable, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
      "$19, $20, $21, $22, $23) ON CONFLICT (id) DO NOTHING";
  Params p;
  p.add(r.id).add(r.type).add(r.creator).add(r.buyer).add(r.seller).add(r.shop_id);
  p.add(r.shop_json).add(r.buyer_info_json);
  add_last_message_id(p, r.buyer_last_message);
  add_last_message_id(p, r.seller_last_message);
  p.add(r.buyer_last_message && r.buyer_last_message->is_seen);
  p.add(r.seller_last_message && r.seller_last_message->is_seen);
  p.add(r.buyer_unseen_messages).add(r.seller_unseen_messages);
  p.add(r.pinned_by_buyer).add(r.pinned_by_seller);
  p.add(r.deleted_by_buyer).add(r.deleted_by_seller);
  p.add(r.buyer_deleted_at).add(r.seller_deleted_at);
  p.add(r.enable).add(r.created_at).add(r.updated_at);
  return db.query(sql, p).affected() != 0;
}

// Position (tx, seq) = (0, created_at) (schema.cpp, version 2): an imported message sorts below
// every live one, and among the imported ones (and those of schema version 1) by
// (created_at, id), whenever it was imported.
bool Backend::import_message(Connection& db, const Message& m, bool with_client_id) {
  static const std::string sql =
      "INSERT INTO messages (id, room_id, sender, recipient, type, content, client_message_id, "
      "is_seen, created_at, updated_at, tx, seq) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '0'::xid8, $9) ON CONFLICT DO NOTHING";
  Params p;
  p.add(m.id).add(m.room_id).add(m.from).add(m.to).add(message_type_name(m.type)).add(m.content);
  if (with_client_id && !m.client_message_id.empty())
    p.add(m.client_message_id);
  else
    p.add_null();
  p.add(m.is_seen).add(m.created_at).add(m.updated_at);
  return db.query(sql, p).affected() != 0;
}

}  // namespace cz::store::postgres
