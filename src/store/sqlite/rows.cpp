#include "store/sqlite/rows.hpp"

#include <fmt/format.h>

namespace cz::store::sqlite {
namespace {

// Room columns, in the order read_room reads them. Since schema v3 a room's per-message state
// is derived from its messages (schema.cpp): these are expressions over `r` (the room with its
// derived columns, room_state_select()) and `bm`/`sm` (each side's last message).
constexpr std::string_view kRoomColumnNames[] = {
    "r.id", "r.type", "r.creator", "r.buyer", "r.seller", "r.shop_id", "r.shop_json",
    "r.buyer_info_json",
    // A side has seen the last message when it wrote it or has nothing unread.
    "(bm.sender = r.buyer OR r.buyer_unseen = 0)", "(sm.sender = r.seller OR r.seller_unseen = 0)",
    "r.buyer_unseen", "r.seller_unseen", "r.pinned_by_buyer", "r.pinned_by_seller",
    // A message after a side deleted the room brings the room back for that side.
    "(r.deleted_by_buyer AND r.buyer_last_id IS NULL)",
    "(r.deleted_by_seller AND r.seller_last_id IS NULL)", "r.buyer_deleted_at",
    "r.seller_deleted_at", "r.enable", "r.created_at",
    "max(r.updated_at, coalesce(bm.created_at, 0), coalesce(sm.created_at, 0))"};
static_assert(static_cast<int>(std::size(kRoomColumnNames)) == kRoomColumnCount);

}  // namespace

const std::string& room_state_select() {
  // Each side's view of the room starts after the message it last cleared ({side}_cleared_*);
  // its unread messages are counted from its seen floor ({side}_seen_*). Both are range probes of
  // the messages primary key (room_id, created_at, id); -1 and '' stand for "no bound".
  static const std::string sql = [] {
    static const SideSql derived(
        "(SELECT m.id FROM messages m WHERE m.room_id = rooms.id AND (m.created_at, m.id) > "
        "(coalesce(rooms.{side}_cleared_at, -1), coalesce(rooms.{side}_cleared_id, '')) "
        "ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS {side}_last_id, "
        "(SELECT count(*) FROM messages m WHERE m.room_id = rooms.id AND (m.created_at, m.id) > "
        "(coalesce(rooms.{side}_cleared_at, -1), coalesce(rooms.{side}_cleared_id, '')) "
        "AND (m.created_at, m.id) >= "
        "(coalesce(rooms.{side}_seen_at, -1), coalesce(rooms.{side}_seen_id, '')) "
        "AND m.recipient = rooms.{side} AND m.is_seen = 0) AS {side}_unseen");
    return fmt::format("SELECT rooms.*, {}, {} FROM rooms", derived[Role::Buyer],
                       derived[Role::Seller]);
  }();
  return sql;
}

const std::string& room_select() {
  static const std::string sql = [] {
    std::string cols;
    for (std::string_view expr : kRoomColumnNames) {
      if (!cols.empty()) cols += ", ";
      cols.append(expr);
    }
    return fmt::format(
        "SELECT {}, {}, {} FROM ({}) r "
        "LEFT JOIN messages bm ON bm.id = r.buyer_last_id "
        "LEFT JOIN messages sm ON sm.id = r.seller_last_id ",
        cols, message_columns("bm"), message_columns("sm"), room_state_select());
  }();
  return sql;
}

std::optional<Room> load_room(Connection& db, const std::string& room_id) {
  static const std::string sql = room_select() + "WHERE r.id = ?1";
  Query q = db.query(sql);
  q.bind(1, room_id);
  if (!q.step()) return std::nullopt;
  return read_room(q);
}

}  // namespace cz::store::sqlite
