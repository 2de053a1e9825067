// Room operations. Each one is a few statements that the caller runs inside a transaction
// (writes) or on a read connection (reads).
#include <fmt/format.h>
#include <rapidjson/document.h>

#include "store/postgres/ops.hpp"
#include "store/postgres/rows.hpp"
#include "store/rules.hpp"
#include "util/time.hpp"

namespace cz::store::postgres {
namespace {

Error room_not_found(const std::string& room_id) {
  return make_error(kRoomNotFound, fmt::format("room {} not found", room_id));
}

// Runs a one-row UPDATE of room `room_id` ($1; `params` carries the rest after it) and returns
// the room as it is afterwards, or ROOM_NOT_FOUND.
Result<Room> update_room(Connection& db, const std::string& sql, const std::string& room_id,
                         Params& params) {
  if (db.query(sql, params).affected() == 0) return room_not_found(room_id);
  auto room = load_room(db, room_id);
  if (!room) return room_not_found(room_id);
  return std::move(*room);
}

// Checked here rather than by the json column, so that bad input is a VALIDATION_ERROR and not
// a failed statement. Strict: one UTF-8 JSON value, nothing after it.
bool is_valid_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

std::optional<Error> validate(const CreateRoom& req) {
  if (req.buyer.empty() || req.seller.empty()) {
    return make_error(kValidationError, "buyer and seller are required");
  }
  if (req.buyer == req.seller) return make_error(kValidationError, "Buyer is the same to seller");
  if (req.creator != req.buyer && req.creator != req.seller) {
    return make_error(kValidationError, "creator must be the buyer or the seller");
  }
  if (!is_valid_json(req.shop_json) || !is_valid_json(req.buyer_info_json)) {
    return make_error(kValidationError, "shop and buyer_info must be JSON");
  }
  return std::nullopt;
}

Result<CreateRoomResult> existing_room(Connection& db, const CreateRoom& req, Room existing) {
  // "a.b"+"c" and "a"+"b.c" share an id; refuse rather than hand out someone else's room.
  if (existing.buyer != req.buyer || existing.seller != req.seller) {
    return make_error(kValidationError,
                      fmt::format("room id {} is taken by other users", existing.id));
  }
  const Role creator_side = req.creator == req.buyer ? Role::Buyer : Role::Seller;
  const bool deleted_by_creator =
      creator_side == Role::Buyer ? existing.deleted_by_buyer : existing.deleted_by_seller;
  if (!deleted_by_creator) return CreateRoomResult{std::move(existing), CreateOutcome::Existed};
  Params params;
  params.add(existing.id).add(now_ms());
  auto room = update_room(db,
                          "UPDATE rooms SET deleted_by_buyer = false, deleted_by_seller = false, "
                          "updated_at = $2 WHERE id = $1",
                          existing.id, params);
  if (!room.ok()) return room.error();
  return CreateRoomResult{std::move(room.value()), CreateOutcome::Reenabled};
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

Result<CreateRoomResult> create_room(Connection& db, const CreateRoom& req) {
  if (auto error = validate(req)) return std::move(*error);
  const std::string room_id = room_id_of(req.buyer, req.seller);
  if (auto existing = load_room(db, room_id)) return existing_room(db, req, std::move(*existing));

  // ON CONFLICT: another node may create the same room between our look-up and this insert;
  // then theirs is the existing room.
  const TimeMs now = now_ms();
  Params params;
  params.add(room_id).add(req.type).add(req.creator).add(req.buyer).add(req.seller);
  params.add(req.shop_id).add(req.shop_json).add(req.buyer_info_json).add(now);
  const bool inserted =
      db.query(
            "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, "
            "buyer_info_json, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (id) DO NOTHING",
            params)
          .affected() == 1;
  auto room = load_room(db, room_id);
  if (!room) return room_not_found(room_id);
  if (!inserted) return existing_room(db, req, std::move(*room));
  return CreateRoomResult{std::move(*room), CreateOutcome::Created};
}

Result<std::optional<Room>> get_room(Connection& db, const std::string& room_id) {
  return load_room(db, room_id);
}

Result<std::vector<Room>> list_rooms(Connection& db, const RoomQuery& query) {
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
  for (int i = 0; i < r.rows(); ++i) rooms.push_back(read_room(r, i));
  return rooms;
}

Result<Room> enable_room(Connection& db, const std::string& room_id, Role side) {
  static const SideSql sql(
      "UPDATE rooms SET deleted_by_{side} = false, updated_at = $2 WHERE id = $1");
  Params params;
  params.add(room_id).add(now_ms());
  return update_room(db, sql[side], room_id, params);
}

Result<Room> set_pinned(Connection& db, const std::string& room_id, Role side, bool pinned) {
  static const SideSql sql("UPDATE rooms SET pinned_by_{side} = $2, updated_at = $3 WHERE id = $1");
  const TimeMs now = now_ms();
  Params params;
  params.add(room_id).add(pinned ? std::optional<TimeMs>(now) : std::nullopt).add(now);
  return update_room(db, sql[side], room_id, params);
}

Result<Room> delete_room_side(Connection& db, const std::string& room_id, Role side) {
  // The side's unread count goes too: deleting a conversation discards its unread state.
  static const SideSql sql(
      "UPDATE rooms SET deleted_by_{side} = true, {side}_deleted_at = $2, "
      "{side}_last_message_id = NULL, {side}_last_seen = false, "
      "{side}_unseen = 0, pinned_by_{side} = NULL, updated_at = $2 WHERE id = $1");
  Params params;
  params.add(room_id).add(now_ms());
  return update_room(db, sql[side], room_id, params);
}

Result<std::vector<UnreadCount>> unread_counts(Connection& db, const std::string& user_id) {
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

Result<std::vector<std::string>> room_partners(Connection& db, const std::string& user_id) {
  PgResult r = db.query(
      "SELECT seller FROM rooms WHERE buyer = $1 UNION SELECT buyer FROM rooms WHERE seller = $1 "
      "ORDER BY 1",
      Params().add(user_id));
  std::vector<std::string> partners;
  for (int i = 0; i < r.rows(); ++i) partners.push_back(r.text(i, 0));
  return partners;
}

}  // namespace cz::store::postgres
