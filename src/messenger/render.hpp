#pragma once
// JSON of the domain objects, with the original service's field names, so that existing clients
// read our payloads as they read the original's. Times are ISO-8601 strings (util/time.hpp).
//
// write_* append one JSON value to a writer (to embed it in a larger document: an ack, a list);
// render_* return the value alone as a string.
#include <string>
#include <string_view>
#include <vector>

#include "messenger/json_writer.hpp"
#include "store/model.hpp"
#include "store/store.hpp"
#include "util/result.hpp"
#include "util/time.hpp"

namespace cz::messenger {

std::string_view message_type_name(store::MessageType type);  // "TEXT" | "IMAGE" | "EMOJI"
std::string_view role_name(store::Role role);                 // "BUYER" | "SELLER"

// {_id, room_id, from, to, type, content, client_message_id (when set), is_seen, created_at,
//  updated_at}
void write_message(JsonWriter& w, const store::Message& message);
std::string render_message(const store::Message& message);

// A side's copy of the room's last message: the message with that side's is_seen.
void write_last_message(JsonWriter& w, const store::LastMessage& last);

// The whole room, both sides' fields.
void write_room(JsonWriter& w, const store::Room& room);
std::string render_room(const store::Room& room);

// The room as one side sees it in its room list (as the original's room list): a buyer gets
// `shop`, buyer_last_message, buyer_unseen_messages, pinned_by_buyer, deleted_by_buyer...;
// a seller the mirror image with `buyer_info`. The other side's private fields are left out.
void write_room_for(JsonWriter& w, const store::Room& room, store::Role viewer);
std::string render_room_for(const store::Room& room, store::Role viewer);

// --- events and acks (the same bytes whether a socket or a REST call caused them) ---------

// typing / stop_typing: {room_id, from, to}
std::string render_typing(std::string_view room_id, std::string_view from, std::string_view to);

// seen_messages, to both participants: {room_id, from (the reader), to, message_ids}
std::string render_seen_event(std::string_view room_id, std::string_view reader,
                              std::string_view other, const std::vector<std::string>& ids);
// The seen_messages ack: {status: true, message_ids}
std::string render_seen_ack(const std::vector<std::string>& ids);

// room_deleted / room_enabled, to the other participant: {room_id, user_id, role, deleted, at}
std::string render_room_side_event(const store::Room& room, store::Role side, bool deleted,
                                   TimeMs at);

// How a create_room went: "created" | "existed" | "reenabled", and the original's wording.
std::string_view create_outcome_name(store::CreateOutcome outcome);
std::string_view create_outcome_message(store::CreateOutcome outcome);

// {"error":{"code":...,"message":...}}, the body of every refusal; write_error_member writes
// its one member into an object being written (REST's refusals add fields around it).
void write_error(JsonWriter& w, const Error& error);
void write_error_member(JsonWriter& w, const Error& error);
std::string render_error(const Error& error);

}  // namespace cz::messenger
