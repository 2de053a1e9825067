#pragma once
// PostgreSQL's rows: a result row in the shape store/sql_rows.hpp reads, and the room select.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"
#include "store/postgres/connection.hpp"
#include "store/sql_rows.hpp"

namespace cz::store::postgres {

// One row of a result, with the accessors of store/sql_rows.hpp.
struct PgRow {
  const PgResult& result;
  int row;
  std::string text(int c) const { return result.text(row, c); }
  std::string_view view(int c) const { return result.view(row, c); }
  std::int64_t integer(int c) const { return result.integer(row, c); }
  std::optional<std::int64_t> optional_integer(int c) const {
    return result.optional_integer(row, c);
  }
  bool boolean(int c) const { return result.boolean(row, c); }
  bool is_null(int c) const { return result.is_null(row, c); }
};

std::vector<Message> read_messages(const PgResult& r);

// "SELECT <room columns and both last messages> FROM rooms r LEFT JOIN ...", in read_room's
// order; add a WHERE on `r`.
const std::string& room_select();

// Loads one room by id (nullopt when absent).
std::optional<Room> load_room(Connection& db, const std::string& room_id);

}  // namespace cz::store::postgres
