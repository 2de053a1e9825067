#pragma once
// The JSON bodies of successful REST replies (the events they cause are messenger/render.hpp's).
// Rooms and messages are written by messenger/render.hpp, so they read exactly as over the
// socket; a room is shown as the caller's side sees it (write_room_for). Pure functions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace cz::messenger::rest {

// GET /v1/rooms: {user_id, role, rooms: [...]}
std::string render_room_list(std::string_view user_id, store::Role role,
                             const std::vector<store::Room>& rooms);

// {room}
std::string render_room_only(const store::Room& room, store::Role side);

// {status: true, [message,] room}; `message` left out when empty.
std::string render_room_status(const store::Room& room, store::Role side, std::string_view message);

// POST /v1/rooms: {status, outcome, message, room} with the original's wording; status is false
// only for a room that already existed ("Room exists!").
std::string render_create_room(const store::CreateRoomResult& result, store::Role side);

// DELETE /v1/rooms/{room_id}: {status: true, role, deleted_at}
std::string render_room_deleted(store::Role side, std::optional<TimeMs> deleted_at);

// GET /v1/messages: {room_id, filters: {message_count, from, created_at, cursor, next_cursor},
// data: [...]}. message_count is the page size applied (the original's field); next_cursor is
// the id to pass as `cursor` for the following page, null when this page is the last.
struct PageInfo {
  std::size_t limit = 0;
  std::optional<TimeMs> from;
  store::Order order = store::Order::OldestFirst;
  std::optional<std::string> cursor;
  std::optional<std::string> next_cursor;
};
std::string render_message_page(std::string_view room_id, const PageInfo& info,
                                const std::vector<store::Message>& messages);

// {status: true, data: message}, from the message's JSON (render_message)
std::string render_message_reply(std::string_view message_json);

// GET /v1/unread: {user_id, total, rooms: [{room_id, unseen}]}
std::string render_unread(std::string_view user_id, const std::vector<store::UnreadCount>& counts);

}  // namespace cz::messenger::rest
