#pragma once
// Registration of the /messenger handlers, one concern per file:
//   auth.cpp           handshake middleware and verify_user
//   room_events.cpp    create_room
//   message_events.cpp new_message, typing, stop_typing, seen_messages
//   sync_events.cpp    sync (catch-up after a reconnect)
//   presence_events.cpp connection/disconnection bookkeeping, user_status, get_user_status
//   malformed_events.cpp packets whose JSON does not parse
//   rate_limit.cpp     per-socket event rate, events nobody handles
#include "messenger/context.hpp"

namespace cz::messenger {

void install_auth(const ContextPtr& ctx);
void install_room_events(const ContextPtr& ctx);
void install_message_events(const ContextPtr& ctx);
void install_sync_events(const ContextPtr& ctx);
void install_presence(const ContextPtr& ctx);
void install_malformed(const ContextPtr& ctx);
void install_rate_limit(const ContextPtr& ctx);

// Whether `socket` may have this event handled now (its event rate); if not, it has been
// refused (RATE_LIMITED) or, after too many refusals, disconnected.
bool admit_event(const Context& ctx, socketio::Socket& socket, std::string_view event,
                 const socketio::Ack& ack);

}  // namespace cz::messenger
