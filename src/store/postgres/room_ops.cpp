// Room primitives. Each one is a few statements that the front runs inside a transaction
// (writes) or on a read connection (reads).
#include "store/postgres/backend.hpp"
#include "store/postgres/rows.hpp"

namespace cz::store::postgres {
namespace {

// Runs a one-row UPDATE of a room ($1; `params` carries the rest after it): true when a room
// had that id.
bool update_room(Connection& db, const std::string& sql, const Params& params) {
  return db.query(sql, params).affected() != 0;
}

// A LIKE pattern matching `text` anywhere, with its own % _ and \ taken literally.
std::string contains_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace

std::optional<Room> Backend::load_room(Connection& db, const std::string& room_id) {
  return postgres::load_room(db, room_id);
}

bool Backend::insert_room(Connection& db, const std::string& room_id, const CreateRoom& req,
                          TimeMs now) {
  // ON CONFLICT: another node may create the same room between our look-up and this insert;
  // then theirs is the existing room.
  Params params;
  params.add(room_id).add(req.type).add(req.creator).add(req.buyer).add(req.seller);
  params.add(req.shop_id).add(req.shop_json).add(req.buyer_info_json).add(now);
  return db.query(
               "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, "
               "buyer_info_json, created_at, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (id) DO NOTHING",
               params)
             .affected() == 1;
}

bool Backend::reenable_room(Connection& db, const std::string& room_id, TimeMs now) {
  return update_room(db,
                     "UPDATE rooms SET deleted_by_buyer = false, deleted_by_seller = false, "
                     "updated_at = $2 WHERE id = $1",
                     Params().add(room_id).add(now));
}

std::vector<Room> Backend::list_rooms(Connection& db, const RoomQuery& query) {
  // Name: case-insensitive substring of the other side's "name" (ILIKE with the filter's own
  // wildcards escaped). Pinned first, most recently pinned first; then last message, newest first
  // (by its time: imported ids do not sort with ours; `{side_last}` is that side's joined one).
  static const SideSql sql(room_select() +
                           "WHERE r.{side} = $1 AND NOT r.deleted_by_{side} "
                           "AND ($2::text IS NULL OR "
                           "(r.{other_name_json} ->> 'name') ILIKE $2 ESCAPE '\\') "
                           "AND ($3::boolean IS NULL OR (r.pinned_by_{side} IS NOT NULL) = $3) "
                           "ORDER BY r.pinned_by_{side} IS NULL, r.pinned_by_{side} DESC, "
                           "{side_last}.created_at DESC NULLS LAST, "
                           "r.{side}_last_message_id DESC, r.created_at DESC, r.id");
  std::optional<std::string> pattern;
  if (query.name && !query.name->empty()) pattern = contains_pattern(*query.name);
  Params params;
  params.add(query.user_id).add(pattern).add(query.pinned);
  PgResult r = db.query(sql[query.role], params);
  std::vector<Room> rooms;
  rooms.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rooms.push_back(read_room(PgRow{r, i}));
  return rooms;
}

bool Backend::enable_side(Connection& db, const std::string& room_id, Role side, TimeMs now) {
  static const SideSql sql(
      "UPDATE rooms SET deleted_by_{side} = false, updated_at = $2 WHERE id = $1");
  return update_room(db, sql[side], Params().add(room_id).add(now));
}

bool Backend::pin_side(Connection& db, const std::string& room_id, Role side,
                       std::optional<TimeMs> pinned_at, TimeMs now) {
  static const SideSql sql("UPDATE rooms SET pinned_by_{side} = $2, updated_at = $3 WHERE id = $1");
  return update_room(db, sql[side], Params().add(room_id).add(pinned_at).add(now));
}

bool Backend::delete_side(Connection& db, const std::string& room_id, Role side, TimeMs now) {
  // The side's unread count goes too: deleting a conversation discards its unread state.
  static const SideSql sql(
      "UPDATE rooms SET deleted_by_{side} = true, {side}_deleted_at = $2, "
      "{side}_last_message_id = NULL, {side}_last_seen = false, "
      "{side}_unseen = 0, pinned_by_{side} = NULL, updated_at = $2 WHERE id = $1");
  return update_room(db, sql[side], Params().add(room_id).add(now));
}

std::vector<UnreadCount> Backend::unread_counts(Connection& db, const std::string& user_id) {
  PgResult r = db.query(
      "SELECT id, buyer_unseen FROM rooms "
      "WHERE buyer = $1 AND buyer_unseen > 0 AND NOT deleted_by_buyer "
      "UNION ALL SELECT id, seller_unseen FROM rooms "
      "WHERE seller = $1 AND seller_unseen > 0 AND NOT deleted_by_seller ORDER BY 1",
      Params().add(user_id));
  std::vector<UnreadCount> counts;
  for (int i = 0; i < r.rows(); ++i) counts.push_back(UnreadCount{r.text(i, 0), r.integer(i, 1)});
  return counts;
}

std::vector<std::string> Backend::room_partners(Connection& db, const std::string& user_id) {
  PgResult r = db.query(
      "SELECT seller FROM rooms WHERE buyer = $1 UNION SELECT buyer FROM rooms WHERE seller = $1 "
      "ORDER BY 1",
      Params().add(user_id));
  std::vector<std::string> partners;
  for (int i = 0; i < r.rows(); ++i) partners.push_back(r.text(i, 0));
  return partners;
}

}  // namespace cz::store::postgres
