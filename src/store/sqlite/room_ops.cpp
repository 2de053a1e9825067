// Room primitives. Each one is a few statements that the front runs inside a transaction
// (writes) or on a read connection (reads).
#include <fmt/format.h>

#include "store/sqlite/backend.hpp"
#include "store/sqlite/rows.hpp"

namespace cz::store::sqlite {
namespace {

// Runs a one-row UPDATE of room `room_id` (parameter ?1; `bind` adds the rest): true when a
// room had that id.
template <typename Bind>
bool update_room(Connection& db, const std::string& sql, const std::string& room_id, Bind bind) {
  Query q = db.query(sql);
  q.bind(1, room_id);
  bind(q);
  q.run();
  return db.changes() != 0;
}

}  // namespace

std::optional<Room> Backend::load_room(Connection& db, const std::string& room_id) {
  return sqlite::load_room(db, room_id);
}

bool Backend::insert_room(Connection& db, const std::string& room_id, const CreateRoom& req,
                          TimeMs now) {
  // The writer is the only one: the id is free when load_room did not find it.
  Query insert = db.query(
      "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, buyer_info_json, "
      "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
  insert.bind(1, room_id).bind(2, req.type).bind(3, req.creator).bind(4, req.buyer);
  insert.bind(5, req.seller).bind(6, req.shop_id).bind(7, req.shop_json);
  insert.bind(8, req.buyer_info_json).bind(9, now);
  insert.run();
  return true;
}

bool Backend::reenable_room(Connection& db, const std::string& room_id, TimeMs now) {
  return update_room(db,
                     "UPDATE rooms SET deleted_by_buyer = 0, deleted_by_seller = 0, "
                     "updated_at = ?2 WHERE id = ?1",
                     room_id, [&](Query& q) { q.bind(2, now); });
}

std::vector<Room> Backend::list_rooms(Connection& db, const RoomQuery& query) {
  // Name: ASCII case-insensitive substring of the other side's "name" (SQLite's lower() folds
  // ASCII only). Pinned first, most recently pinned first; then last message, newest first.
  static const SideSql sql(
      room_select() +
      "WHERE r.{side} = ?1 "
      "AND NOT (r.deleted_by_{side} AND r.{side}_last_id IS NULL) "
      "AND (?2 IS NULL OR instr(lower(json_extract(r.{other_name_json}, "
      "'$.name')), lower(?2)) > 0) "
      "AND (?3 IS NULL OR (r.pinned_by_{side} IS NOT NULL) = ?3) "
      "ORDER BY r.pinned_by_{side} IS NULL, r.pinned_by_{side} DESC, "
      "{side_last}.created_at DESC NULLS LAST, {side_last}.id DESC, r.created_at DESC, r.id");
  Query q = db.query(sql[query.role]);
  q.bind(1, query.user_id);
  if (query.name && !query.name->empty())
    q.bind(2, *query.name);
  else
    q.bind_null(2);
  q.bind(3, query.pinned);
  std::vector<Room> rooms;
  while (q.step()) rooms.push_back(read_room(q));
  return rooms;
}

bool Backend::enable_side(Connection& db, const std::string& room_id, Role side, TimeMs now) {
  static const SideSql sql("UPDATE rooms SET deleted_by_{side} = 0, updated_at = ?2 WHERE id = ?1");
  return update_room(db, sql[side], room_id, [&](Query& q) { q.bind(2, now); });
}

bool Backend::pin_side(Connection& db, const std::string& room_id, Role side,
                       std::optional<TimeMs> pinned_at, TimeMs now) {
  static const SideSql sql("UPDATE rooms SET pinned_by_{side} = ?2, updated_at = ?3 WHERE id = ?1");
  return update_room(db, sql[side], room_id, [&](Query& q) { q.bind(2, pinned_at).bind(3, now); });
}

bool Backend::delete_side(Connection& db, const std::string& room_id, Role side, TimeMs now) {
  // The side's last message and unread count go too: deleting a conversation discards them (its
  // view of the room starts after the room's current last message).
  static const SideSql sql(
      "UPDATE rooms SET deleted_by_{side} = 1, {side}_deleted_at = ?2, "
      "({side}_cleared_at, {side}_cleared_id) = (SELECT created_at, id FROM messages "
      "WHERE room_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1), "
      "pinned_by_{side} = NULL, updated_at = ?2 WHERE id = ?1");
  return update_room(db, sql[side], room_id, [&](Query& q) { q.bind(2, now); });
}

std::vector<UnreadCount> Backend::unread_counts(Connection& db, const std::string& user_id) {
  static const std::string sql = [] {
    static const SideSql side(
        " r WHERE r.{side} = ?1 AND r.{side}_unseen > 0 "
        "AND NOT (r.deleted_by_{side} AND r.{side}_last_id IS NULL)");
    const std::string rooms = "SELECT r.id, r.{}_unseen FROM (" + room_state_select() + ")";
    return fmt::format(fmt::runtime(rooms), "buyer") + side[Role::Buyer] + " UNION ALL " +
           fmt::format(fmt::runtime(rooms), "seller") + side[Role::Seller] + " ORDER BY 1";
  }();
  Query q = db.query(sql);
  q.bind(1, user_id);
  std::vector<UnreadCount> counts;
  while (q.step()) counts.push_back(UnreadCount{q.text(0), q.integer(1)});
  return counts;
}

std::vector<std::string> Backend::room_partners(Connection& db, const std::string& user_id) {
  Query q = db.query(
      "SELECT seller FROM rooms WHERE buyer = ?1 UNION SELECT buyer FROM rooms WHERE seller = ?1 "
      "ORDER BY 1");
  q.bind(1, user_id);
  std::vector<std::string> partners;
  while (q.step()) partners.push_back(q.text(0));
  return partners;
}

}  // namespace cz::store::sqlite
