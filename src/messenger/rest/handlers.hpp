#pragma once
// The route handlers, one per RouteId (the dispatcher has authenticated the caller and parsed
// the query and the body). Each validates its parameters, checks the caller's rights against
// the stored room and answers through the Call.
//   room_routes.cpp     /v1/rooms...
//   message_routes.cpp  /v1/messages..., /v1/unread
#include "messenger/rest/call.hpp"

namespace cz::messenger::rest {

void list_rooms(const CallPtr& call);
void create_room(const CallPtr& call);
void get_room(const CallPtr& call);
void delete_room(const CallPtr& call);
void enable_room(const CallPtr& call);
void pin_room(const CallPtr& call, bool pinned);
void mark_room_seen(const CallPtr& call);

void list_messages(const CallPtr& call);
void post_message(const CallPtr& call);
void edit_message(const CallPtr& call);
void unread(const CallPtr& call);

// --- shared by the handlers ----------------------------------------------------------------

// The acting identity of the call: user_id/role from the query string and then the body, each
// checked against the token (and the body's role against the query's).
Result<Acting> acting_of(const Call& call);

// Loads room `room_id`, checks that the caller is a participant on the side they claim, then
// runs `then(room, side)` on the request's thread; answers 404/403 otherwise.
void with_room(const CallPtr& call, std::string room_id, Acting acting,
               std::function<void(store::Room room, store::Role side)> then);

}  // namespace cz::messenger::rest
