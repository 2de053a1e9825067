#pragma once
// Mapping between PostgreSQL rows and the model: column lists, row readers, and per-side SQL.
#include <optional>
#include <string>
#include <string_view>

#include "store/model.hpp"
#include "store/postgres/connection.hpp"

namespace cz::store::postgres {

// The message columns in the order read_message expects, prefixed with `alias.` when given.
std::string message_columns(std::string_view alias = {});
inline constexpr int kMessageColumnCount = 10;
Message read_message(const PgResult& r, int row, int first_column = 0);
std::vector<Message> read_messages(const PgResult& r);

// "SELECT <room columns and both last messages> FROM rooms r LEFT JOIN ..."; add a WHERE on `r`.
const std::string& room_select();
Room read_room(const PgResult& r, int row);

const char* message_type_name(MessageType type);
std::optional<MessageType> parse_message_type(std::string_view name);

inline Role other_side(Role side) {
  return side == Role::Buyer ? Role::Seller : Role::Buyer;
}

// SQL that differs only by side: {side} becomes the side's column prefix ("buyer"/"seller"),
// {other} the other side's, {other_name_json} the column holding the other side's display data
// (a buyer sees the shop, a seller sees the buyer). Build it once, in a function-local static.
struct SideSql {
  explicit SideSql(std::string_view sql_template);
  const std::string& operator[](Role side) const { return side == Role::Buyer ? buyer : seller; }
  std::string buyer, seller;
};

// Loads one room by id (nullopt when absent).
std::optional<Room> load_room(Connection& db, const std::string& room_id);

}  // namespace cz::store::postgres
