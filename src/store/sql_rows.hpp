#pragma once
// What every SQL backend shares between its rows and the model: the message columns, type and
// side names, SQL that differs only by side, and the readers of a message row and a room row.
//
// The readers work on any row type with the accessors below (0-based columns), so that each
// backend keeps its own result type without a copy: SQLite's Query, a PostgreSQL result's row.
//   text(c) -> std::string, view(c) -> std::string_view (valid while the row is),
//   integer(c) -> int64, optional_integer(c), boolean(c), is_null(c)
#include <optional>
#include <string>
#include <string_view>

#include "store/model.hpp"

namespace cz::store {

// The message columns in the order read_message expects, prefixed with `alias.` when given.
std::string message_columns(std::string_view alias = {});
inline constexpr int kMessageColumnCount = 10;

const char* message_type_name(MessageType type);
std::optional<MessageType> parse_message_type(std::string_view name);

// "buyer" / "seller": the column prefix of a side.
const char* side_name(Role side);
inline Role other_side(Role side) {
  return side == Role::Buyer ? Role::Seller : Role::Buyer;
}

// SQL that differs only by side, e.g. "UPDATE rooms SET pinned_by_{side} = ?2": {side} becomes
// the side's name, {other} the other side's, {other_name_json} the column holding the other
// side's display data (a buyer sees the shop, a seller sees the buyer), {side_last} the alias of
// the side's last message in the backend's room select (bm or sm). Returns a string to keep
// (callers cache it in a static): statement caches key on its text.
std::string sql_for_side(std::string_view sql_template, Role side);

// Both sides' SQL of one template; keep it in a function-local static so it is built once.
struct SideSql {
  explicit SideSql(std::string_view sql_template)
      : buyer(sql_for_side(sql_template, Role::Buyer)),
        seller(sql_for_side(sql_template, Role::Seller)) {}
  const std::string& operator[](Role side) const { return side == Role::Buyer ? buyer : seller; }
  std::string buyer, seller;
};

template <typename Row>
Message read_message(const Row& row, int c = 0) {
  Message m;
  m.id = row.text(c);
  m.room_id = row.text(c + 1);
  m.from = row.text(c + 2);
  m.to = row.text(c + 3);
  m.type = parse_message_type(row.view(c + 4)).value_or(MessageType::Text);
  m.content = row.text(c + 5);
  m.client_message_id = row.text(c + 6);  // NULL reads as ""
  m.is_seen = row.boolean(c + 7);
  m.created_at = row.integer(c + 8);
  m.updated_at = row.integer(c + 9);
  return m;
}

// The room columns a backend's room select gives, in this order, before both sides' last
// messages (message_columns("bm"), message_columns("sm"); NULL when a side has none):
//   id, type, creator, buyer, seller, shop_id, shop_json, buyer_info_json,
//   buyer_last_seen, seller_last_seen, buyer_unseen, seller_unseen,
//   pinned_by_buyer, pinned_by_seller, deleted_by_buyer, deleted_by_seller,
//   buyer_deleted_at, seller_deleted_at, enable, created_at, updated_at
inline constexpr int kRoomColumnCount = 21;

template <typename Row>
std::optional<LastMessage> read_last_message(const Row& row, int first, bool seen) {
  if (row.is_null(first)) return std::nullopt;
  return LastMessage{read_message(row, first), seen};
}

template <typename Row>
Room read_room(const Row& row) {
  constexpr int kBuyerLast = kRoomColumnCount;
  constexpr int kSellerLast = kRoomColumnCount + kMessageColumnCount;
  Room r;
  r.id = row.text(0);
  r.type = row.text(1);
  r.creator = row.text(2);
  r.buyer = row.text(3);
  r.seller = row.text(4);
  r.shop_id = row.text(5);
  r.shop_json = row.text(6);
  r.buyer_info_json = row.text(7);
  r.buyer_last_message = read_last_message(row, kBuyerLast, row.boolean(8));
  r.seller_last_message = read_last_message(row, kSellerLast, row.boolean(9));
  r.buyer_unseen_messages = row.integer(10);
  r.seller_unseen_messages = row.integer(11);
  r.pinned_by_buyer = row.optional_integer(12);
  r.pinned_by_seller = row.optional_integer(13);
  r.deleted_by_buyer = row.boolean(14);
  r.deleted_by_seller = row.boolean(15);
  r.buyer_deleted_at = row.optional_integer(16);
  r.seller_deleted_at = row.optional_integer(17);
  r.enable = row.boolean(18);
  r.created_at = row.integer(19);
  r.updated_at = row.integer(20);
  return r;
}

}  // namespace cz::store
