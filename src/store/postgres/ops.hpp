#pragma once
// The store's operations as plain synchronous functions on one connection. PostgresStore runs
// the writes on its writer thread (inside the batch transaction; insert_message is pipelined
// there when the connection can defer, connection.hpp) and the reads on its reader connections; see
// store.hpp for what each one means. They mirror sqlite/ops.hpp statement for statement, so both
// stores behave the same.
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/connection.hpp"
#include "store/store.hpp"

namespace cz::store::postgres {

// Largest page list_messages / sync_messages return, whatever the caller asks.
inline constexpr std::size_t kMaxPageSize = 1000;

// Rooms (room_ops.cpp).
Result<CreateRoomResult> create_room(Connection& db, const CreateRoom& req);
Result<std::optional<Room>> get_room(Connection& db, const std::string& room_id);
Result<std::vector<Room>> list_rooms(Connection& db, const RoomQuery& query);
Result<Room> enable_room(Connection& db, const std::string& room_id, Role side);
Result<Room> set_pinned(Connection& db, const std::string& room_id, Role side, bool pinned);
Result<Room> delete_room_side(Connection& db, const std::string& room_id, Role side);
Result<std::vector<UnreadCount>> unread_counts(Connection& db, const std::string& user_id);
Result<std::vector<std::string>> room_partners(Connection& db, const std::string& user_id);

// Messages (message_ops.cpp).
Result<InsertMessageResult> insert_message(Connection& db, const NewMessage& msg);
Result<std::vector<std::string>> mark_seen(Connection& db, const std::string& room_id,
                                           const std::string& reader,
                                           const std::optional<std::vector<std::string>>& ids);
Result<std::vector<Message>> list_messages(Connection& db, const MessageQuery& query);
Result<std::vector<Message>> sync_messages(Connection& db, const SyncQuery& query);
Result<std::optional<Message>> get_message(Connection& db, const std::string& message_id);
Result<Message> update_message_content(Connection& db, const std::string& message_id,
                                       const std::string& editor, const std::string& content);

// Bulk import (import_ops.cpp).
Result<ImportBatchResult> import_batch(Connection& db, const ImportBatch& batch);

}  // namespace cz::store::postgres
