#pragma once
// Registration of the /messenger handlers, one concern per file:
//   auth.cpp           handshake middleware and verify_user
//   room_events.cpp    create_room
//   message_events.cpp new_message, typing, stop_typing, seen_messages
//   sync_events.cpp    sync (catch-up after a reconnect)
//   presence_events.cpp connection/disconnection bookkeeping, user_status, get_user_status
//   malformed_events.cpp packets whose JSON does not parse
#include "messenger/context.hpp"

namespace cz::messenger {

void install_auth(const ContextPtr& ctx);
void install_room_events(const ContextPtr& ctx);
void install_message_events(const ContextPtr& ctx);
void install_sync_events(const ContextPtr& ctx);
void install_presence(const ContextPtr& ctx);
void install_malformed(const ContextPtr& ctx);

}  // namespace cz::messenger
