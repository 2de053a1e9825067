#pragma once
#include <string>

namespace cz::socketio {

// A new Socket.IO socket id: 20 characters of URL-safe base64 over 120 random bits from the
// OpenSSL CSPRNG (the shape of Node's base64id). Ids double as room names, so they must not be
// guessable.
std::string generate_socket_id();

}  // namespace cz::socketio
