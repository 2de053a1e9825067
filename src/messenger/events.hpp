#pragma once
// Every /messenger event name, spelled once. Clients send the first group; the server sends all
// of them (a request's answer goes out under the same name to the other participant's tabs).
#include <string_view>

namespace cz::messenger::event {

// Asked by clients.
inline constexpr std::string_view kVerifyUser = "verify_user";
inline constexpr std::string_view kCreateRoom = "create_room";
inline constexpr std::string_view kNewMessage = "new_message";
inline constexpr std::string_view kTyping = "typing";
inline constexpr std::string_view kStopTyping = "stop_typing";
inline constexpr std::string_view kSeenMessages = "seen_messages";
inline constexpr std::string_view kSync = "sync";
inline constexpr std::string_view kGetUserStatus = "get_user_status";

// Sent by the server only.
inline constexpr std::string_view kUserStatus = "user_status";
inline constexpr std::string_view kMessageUpdated = "message_updated";  // PUT /v1/messages/:id
inline constexpr std::string_view kRoomDeleted = "room_deleted";        // DELETE /v1/rooms/:id
inline constexpr std::string_view kRoomEnabled = "room_enabled";        // PUT .../enable
inline constexpr std::string_view kError = "error";  // a refusal without an ack to carry it

}  // namespace cz::messenger::event
