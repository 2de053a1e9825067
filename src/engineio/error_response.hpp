#pragma once
// The error replies of Node's engine.io, byte for byte: clients and tests match on them.
#include "net/http.hpp"

namespace cz::engineio {

enum class ErrorCode {
  UnknownTransport = 0,
  UnknownSid = 1,
  BadHandshakeMethod = 2,
  BadRequest = 3,
  Forbidden = 4,
  UnsupportedProtocolVersion = 5,
};

const char* error_message(ErrorCode code);

// HTTP: 400 (403 for forbidden) {"code":N,"message":"..."} as application/json.
// WebSocket upgrade requests: 400 with the message as text/html and "Connection: close", as
// Node answers a refused upgrade.
net::Response make_error_response(const net::Request& request, ErrorCode code, bool upgrade);

}  // namespace cz::engineio
