// Import primitives: rooms and messages of another service stored as given (cz-messenger
// import; the batch is store/operations.hpp's import_batch). One INSERT per document;
// ON CONFLICT DO NOTHING makes a rerun skip what is stored.
#include "store/sqlite/backend.hpp"
#include "store/sqlite/rows.hpp"

namespace cz::store::sqlite {
namespace {

bool exists(Connection& db, const char* sql, const std::string& id) {
  Query q = db.query(sql);
  q.bind(1, id);
  return q.step();
}

// Where a side's view of an imported room starts (schema v3's {side}_cleared_*): a side that
// had deleted the room sees only what came after its deletion, "~" sorting after every id of
// that millisecond. The original's last messages and unread counters are not copied: they are
// derived from the imported messages, as for every room.
std::optional<TimeMs> cleared_at(bool deleted, const std::optional<TimeMs>& deleted_at,
                                 TimeMs updated_at) {
  if (!deleted) return std::nullopt;
  return deleted_at ? *deleted_at : updated_at;
}

}  // namespace

void Backend::begin_import(Connection& db) {
  // An import inserts into every room's part of the indexes at once (its messages come in time
  // order, not room by room): with SQLite's default 2 MiB page cache nearly every insert reads
  // pages back from the OS. Only `cz-messenger import` imports, on a store of its own.
  db.exec("PRAGMA cache_size = -262144");  // KiB: 256 MiB
}

bool Backend::room_exists(Connection& db, const std::string& room_id) {
  return exists(db, "SELECT 1 FROM rooms WHERE id = ?1", room_id);
}

bool Backend::message_exists(Connection& db, const std::string& message_id) {
  return exists(db, "SELECT 1 FROM messages WHERE id = ?1", message_id);
}

bool Backend::import_room(Connection& db, const Room& r) {
  Query q = db.query(
      "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, buyer_info_json, "
      "pinned_by_buyer, pinned_by_seller, deleted_by_buyer, deleted_by_seller, buyer_deleted_at, "
      "seller_deleted_at, enable, created_at, updated_at, buyer_cleared_at, buyer_cleared_id, "
      "seller_cleared_at, seller_cleared_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "CASE WHEN ?18 IS NULL THEN NULL ELSE '~' END, ?19, "
      "CASE WHEN ?19 IS NULL THEN NULL ELSE '~' END) ON CONFLICT (id) DO NOTHING");
  q.bind(1, r.id).bind(2, r.type).bind(3, r.creator).bind(4, r.buyer).bind(5, r.seller);
  q.bind(6, r.shop_id).bind(7, r.shop_json).bind(8, r.buyer_info_json);
  q.bind(9, r.pinned_by_buyer).bind(10, r.pinned_by_seller);
  q.bind(11, r.deleted_by_buyer).bind(12, r.deleted_by_seller);
  q.bind(13, r.buyer_deleted_at).bind(14, r.seller_deleted_at);
  q.bind(15, r.enable).bind(16, r.created_at).bind(17, r.updated_at);
  q.bind(18, cleared_at(r.deleted_by_buyer, r.buyer_deleted_at, r.updated_at));
  q.bind(19, cleared_at(r.deleted_by_seller, r.seller_deleted_at, r.updated_at));
  q.run();
  return db.changes() != 0;
}

bool Backend::import_message(Connection& db, const Message& m, bool with_client_id) {
  Query q = db.query(
      "INSERT INTO messages (id, room_id, sender, recipient, type, content, client_message_id, "
      "is_seen, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT DO NOTHING");
  q.bind(1, m.id).bind(2, m.room_id).bind(3, m.from).bind(4, m.to);
  q.bind(5, message_type_name(m.type)).bind(6, m.content);
  if (with_client_id && !m.client_message_id.empty())
    q.bind(7, m.client_message_id);
  else
    q.bind_null(7);
  q.bind(8, m.is_seen).bind(9, m.created_at).bind(10, m.updated_at);
  q.run();
  return db.changes() != 0;
}

}  // namespace cz::store::sqlite
