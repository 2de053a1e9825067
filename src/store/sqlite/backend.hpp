#pragma once
// struct sqlite::Backend: SQLite's primitives for the shared front (store/backend.hpp says what
// each one does). Rooms: room_ops.cpp; messages: message_ops.cpp; import: import_ops.cpp.
#include "store/backend.hpp"
#include "store/sqlite/connection.hpp"

namespace cz::store::sqlite {

CZ_STORE_BACKEND(sqlite::Connection, "SQLite");

}  // namespace cz::store::sqlite
