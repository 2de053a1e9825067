#pragma once
// SQLite's room select (schema v3 derives a room's per-message state from its messages); the
// columns, names and row readers shared with the other backends are store/sql_rows.hpp.
#include <optional>
#include <string>

#include "store/model.hpp"
#include "store/sql_rows.hpp"
#include "store/sqlite/connection.hpp"

namespace cz::store::sqlite {

// "SELECT rooms.*, <derived columns> FROM rooms": each room with, per side, {side}_last_id (its
// last message, NULL when none since it cleared the room) and {side}_unseen (its unread count).
const std::string& room_state_select();
// "SELECT <room columns and both last messages> FROM (room_state_select()) r LEFT JOIN ...",
// in read_room's order; add a WHERE on `r`.
const std::string& room_select();

// Loads one room by id (nullopt when absent).
std::optional<Room> load_room(Connection& db, const std::string& room_id);

}  // namespace cz::store::sqlite
