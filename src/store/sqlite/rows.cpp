#include "store/sqlite/rows.hpp"

#include <fmt/format.h>

namespace cz::store::sqlite {
namespace {

constexpr std::string_view kMessageColumnNames[kMessageColumnCount] = {
    "id",      "room_id",           "sender",  "recipient",  "type",
    "content", "client_message_id", "is_seen", "created_at", "updated_at"};

// Room columns, in the order read_room reads them.
constexpr std::string_view kRoomColumnNames[] = {"id",
                                                 "type",
                                                 "creator",
                                                 "buyer",
                                                 "seller",
                                                 "shop_id",
                                                 "shop_json",
                                                 "buyer_info_json",
                                                 "buyer_last_seen",
                                                 "seller_last_seen",
                                                 "buyer_unseen",
                                                 "seller_unseen",
                                                 "pinned_by_buyer",
                                                 "pinned_by_seller",
                                                 "deleted_by_buyer",
                                                 "deleted_by_seller",
                                                 "buyer_deleted_at",
                                                 "seller_deleted_at",
                                                 "enable",
                                                 "created_at",
                                                 "updated_at"};
constexpr int kRoomColumnCount = static_cast<int>(std::size(kRoomColumnNames));
constexpr int kBuyerLastColumn = kRoomColumnCount;
constexpr int kSellerLastColumn = kRoomColumnCount + kMessageColumnCount;

std::optional<LastMessage> read_last_message(const Query& row, int first, bool seen) {
  if (row.is_null(first)) return std::nullopt;
  return LastMessage{read_message(row, first), seen};
}

}  // namespace

std::string message_columns(std::string_view alias) {
  std::string out;
  for (std::string_view name : kMessageColumnNames) {
    if (!out.empty()) out += ", ";
    if (!alias.empty()) out.append(alias).append(".");
    out.append(name);
  }
  return out;
}

Message read_message(const Query& row, int c) {
  Message m;
  m.id = row.text(c);
  m.room_id = row.text(c + 1);
  m.from = row.text(c + 2);
  m.to = row.text(c + 3);
  m.type = parse_message_type(row.text(c + 4)).value_or(MessageType::Text);
  m.content = row.text(c + 5);
  m.client_message_id = row.text(c + 6);  // NULL reads as ""
  m.is_seen = row.integer(c + 7) != 0;
  m.created_at = row.integer(c + 8);
  m.updated_at = row.integer(c + 9);
  return m;
}

const std::string& room_select() {
  static const std::string sql = [] {
    std::string cols;
    for (std::string_view name : kRoomColumnNames) {
      if (!cols.empty()) cols += ", ";
      cols.append("r.").append(name);
    }
    return fmt::format(
        "SELECT {}, {}, {} FROM rooms r "
        "LEFT JOIN messages bm ON bm.id = r.buyer_last_message_id "
        "LEFT JOIN messages sm ON sm.id = r.seller_last_message_id ",
        cols, message_columns("bm"), message_columns("sm"));
  }();
  return sql;
}

Room read_room(const Query& row) {
  Room r;
  r.id = row.text(0);
  r.type = row.text(1);
  r.creator = row.text(2);
  r.buyer = row.text(3);
  r.seller = row.text(4);
  r.shop_id = row.text(5);
  r.shop_json = row.text(6);
  r.buyer_info_json = row.text(7);
  r.buyer_last_message = read_last_message(row, kBuyerLastColumn, row.integer(8) != 0);
  r.seller_last_message = read_last_message(row, kSellerLastColumn, row.integer(9) != 0);
  r.buyer_unseen_messages = row.integer(10);
  r.seller_unseen_messages = row.integer(11);
  r.pinned_by_buyer = row.optional_integer(12);
  r.pinned_by_seller = row.optional_integer(13);
  r.deleted_by_buyer = row.integer(14) != 0;
  r.deleted_by_seller = row.integer(15) != 0;
  r.buyer_deleted_at = row.optional_integer(16);
  r.seller_deleted_at = row.optional_integer(17);
  r.enable = row.integer(18) != 0;
  r.created_at = row.integer(19);
  r.updated_at = row.integer(20);
  return r;
}

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::Image:
      return "IMAGE";
    case MessageType::Emoji:
      return "EMOJI";
    case MessageType::Text:
      break;
  }
  return "TEXT";
}

std::optional<MessageType> parse_message_type(std::string_view name) {
  if (name == "TEXT") return MessageType::Text;
  if (name == "IMAGE") return MessageType::Image;
  if (name == "EMOJI") return MessageType::Emoji;
  return std::nullopt;
}

const char* side_name(Role side) {
  return side == Role::Buyer ? "buyer" : "seller";
}

std::string sql_for_side(std::string_view sql_template, Role side) {
  return fmt::format(
      fmt::runtime(sql_template), fmt::arg("side", side_name(side)),
      fmt::arg("other", side_name(other_side(side))),
      fmt::arg("other_name_json", side == Role::Buyer ? "shop_json" : "buyer_info_json"),
      fmt::arg("side_last", side == Role::Buyer ? "bm" : "sm"));
}

std::optional<Room> load_room(Connection& db, const std::string& room_id) {
  static const std::string sql = room_select() + "WHERE r.id = ?1";
  Query q = db.query(sql);
  q.bind(1, room_id);
  if (!q.step()) return std::nullopt;
  return read_room(q);
}

}  // namespace cz::store::sqlite
