#pragma once
// The error replies of Node's engine.io, byte for byte: clients and tests match on them.
#include "net/http.hpp"

namespace cz::engineio {

enum class ErrorCode {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

const char* error_message(ErrorCode code);

// HTTP: 400 (403 for forbidden) {"code":N,"message":"..."} as application/json.
// WebSocket upgrade requests: 400 with the message as text/html and "Connection: close", as
// Node answers a refused upgrade.
net::Response make_error_response(const net::Request& request, ErrorCode code, bool upgrade);

}  // namespace cz::engineio
