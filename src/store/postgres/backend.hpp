#pragma once
// struct postgres::Backend: PostgreSQL's primitives for the shared front (store/backend.hpp says
// what each one does). Rooms: room_ops.cpp; messages: message_ops.cpp (insert_message is
// pipelined in a batch's first pass when the connection can defer, connection.hpp); import:
// import_ops.cpp.
#include "store/backend.hpp"
#include "store/postgres/connection.hpp"

namespace cz::store::postgres {

CZ_STORE_BACKEND(postgres::Connection, "PostgreSQL");

}  // namespace cz::store::postgres
