#include "store/postgres/rows.hpp"

#include <fmt/format.h>

namespace cz::store::postgres {
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

std::optional<LastMessage> read_last_message(const PgResult& r, int row, int first, bool seen) {
  if (r.is_null(row, first)) return std::nullopt;
  return LastMessage{read_message(r, row, first), seen};
}

const char* side_name(Role side) {
  return side == Role::Buyer ? "buyer" : "seller";
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

Message read_message(const PgResult& r, int row, int c) {
  Message m;
  m.id = r.text(row, c);
  m.room_id = r.text(row, c + 1);
  m.from = r.text(row, c + 2);
  m.to = r.text(row, c + 3);
  m.type = parse_message_type(r.view(row, c + 4)).value_or(MessageType::Text);
  m.content = r.text(row, c + 5);
  m.client_message_id = r.text(row, c + 6);  // NULL reads as ""
  m.is_seen = r.boolean(row, c + 7);
  m.created_at = r.integer(row, c + 8);
  m.updated_at = r.integer(row, c + 9);
  return m;
}

std::vector<Message> read_messages(const PgResult& r) {
  std::vector<Message> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_message(r, i));
  return out;
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

Room read_room(const PgResult& r, int row) {
  Room room;
  room.id = r.text(row, 0);
  room.type = r.text(row, 1);
  room.creator = r.text(row, 2);
  room.buyer = r.text(row, 3);
  room.seller = r.text(row, 4);
  room.shop_id = r.text(row, 5);
  room.shop_json = r.text(row, 6);
  room.buyer_info_json = r.text(row, 7);
  room.buyer_last_message = read_last_message(r, row, kBuyerLastColumn, r.boolean(row, 8));
  room.seller_last_message = read_last_message(r, row, kSellerLastColumn, r.boolean(row, 9));
  room.buyer_unseen_messages = r.integer(row, 10);
  room.seller_unseen_messages = r.integer(row, 11);
  room.pinned_by_buyer = r.optional_integer(row, 12);
  room.pinned_by_seller = r.optional_integer(row, 13);
  room.deleted_by_buyer = r.boolean(row, 14);
  room.deleted_by_seller = r.boolean(row, 15);
  room.buyer_deleted_at = r.optional_integer(row, 16);
  room.seller_deleted_at = r.optional_integer(row, 17);
  room.enable = r.boolean(row, 18);
  room.created_at = r.integer(row, 19);
  room.updated_at = r.integer(row, 20);
  return room;
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

SideSql::SideSql(std::string_view sql_template) {
  auto expand = [&](Role side) {
    return fmt::format(
        fmt::runtime(sql_template), fmt::arg("side", side_name(side)),
        fmt::arg("other", side_name(other_side(side))),
        fmt::arg("other_name_json", side == Role::Buyer ? "shop_json" : "buyer_info_json"),
        fmt::arg("side_last", side == Role::Buyer ? "bm" : "sm"));
  };
  buyer = expand(Role::Buyer);
  seller = expand(Role::Seller);
}

std::optional<Room> load_room(Connection& db, const std::string& room_id) {
  static const std::string sql = room_select() + "WHERE r.id = $1";
  PgResult r = db.query(sql, Params().add(room_id));
  if (r.rows() == 0) return std::nullopt;
  return read_room(r, 0);
}

}  // namespace cz::store::postgres
