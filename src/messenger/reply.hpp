#pragma once
// Answers to clients: results through the ack, refusals through the ack or an `error` event.
#include <string>
#include <string_view>

#include "socketio/socket.hpp"
#include "util/result.hpp"

namespace cz::messenger {

// A refusal: `{error: {code, message}}` as the ack when the client asked for one, otherwise an
// `error` event {event, code, message} (no `event` field when `event` is empty: a packet too
// malformed to name one). Logged at debug level. Thread-safe.
void refuse(socketio::Socket& socket, std::string_view event, const socketio::Ack& ack,
            const Error& error);

}  // namespace cz::messenger
