#pragma once
// A session lasts as long as its token: when the last verified token's `exp` (plus the JWT
// leeway) passes, the socket gets `verify_user {status: false, reason: "token expired"}` and is
// disconnected, whether or not it is sending anything (an idle tab stops receiving too).
// `verify_user` with a fresh token moves the deadline.
//
// One timer per socket, armed at the handshake and re-armed by verify_user: nothing at all is
// added to the per-event path.
#include <cstdint>
#include <optional>

#include "messenger/context.hpp"
#include "messenger/identity.hpp"

namespace cz::messenger {

// When a token with this `exp` (epoch seconds; none: never) stops being accepted, in epoch ms;
// 0 for never.
std::int64_t token_deadline_ms(std::optional<std::int64_t> exp, std::chrono::seconds leeway);

// (Re)arms `socket`'s expiry for `identity.token_expires_ms` (cancels it when 0). Call on the
// socket's thread with the identity kept in socket.data().
void arm_token_expiry(socketio::Socket& socket, Identity& identity);

}  // namespace cz::messenger
