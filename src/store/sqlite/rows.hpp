#pragma once
// Mapping between SQL rows and the model: column lists, row readers, and per-side SQL.
#include <string>
#include <string_view>

#include "store/model.hpp"
#include "store/sqlite/connection.hpp"

namespace cz::store::sqlite {

// The message columns in the order read_message expects, prefixed with `alias.` when given.
std::string message_columns(std::string_view alias = {});
inline constexpr int kMessageColumnCount = 10;
Message read_message(const Query& row, int first_column = 0);

// "SELECT rooms.*, <derived columns> FROM rooms": each room with, per side, {side}_last_id (its
// last message, NULL when none since it cleared the room) and {side}_unseen (its unread count).
const std::string& room_state_select();
// "SELECT <room columns and both last messages> FROM (room_state_select()) r LEFT JOIN ...";
// add a WHERE on `r`.
const std::string& room_select();
Room read_room(const Query& row);

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
// the side's last message in room_select() (bm or sm). Returns a string to keep
// (callers cache it in a static) — the connection's statement cache keys on its text.
std::string sql_for_side(std::string_view sql_template, Role side);

// Both sides' SQL of one template; keep it in a function-local static so it is built once.
struct SideSql {
  explicit SideSql(std::string_view sql_template)
      : buyer(sql_for_side(sql_template, Role::Buyer)),
        seller(sql_for_side(sql_template, Role::Seller)) {}
  const std::string& operator[](Role side) const { return side == Role::Buyer ? buyer : seller; }
  std::string buyer, seller;
};

// Loads one room by id (nullopt when absent).
std::optional<Room> load_room(Connection& db, const std::string& room_id);

}  // namespace cz::store::sqlite
