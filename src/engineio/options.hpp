#pragma once
// Engine.IO server settings (defaults as Node's engine.io / Socket.IO 4).
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "net/http.hpp"

namespace cz::engineio {

struct ServerOptions {
  // The server pings every ping_interval and expects the pong within ping_timeout.
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  // A polling -> WebSocket upgrade not completed within this is abandoned (the session stays on
  // polling).
  std::chrono::milliseconds upgrade_timeout{10000};
  // A server-initiated close on polling waits this long for the GET that carries the close packet.
  std::chrono::milliseconds close_timeout{30000};
  // Largest POST body / WebSocket message accepted from a client (Node: maxHttpBufferSize).
  std::size_t max_payload = 1'000'000;
  // Bytes a session may have waiting for its client (polling buffer); over it: "slow client".
  // (On WebSocket the net layer's send-queue bound plays this role.)
  std::size_t max_buffered_bytes = 4 * 1024 * 1024;
  bool allow_polling = true;
  bool allow_websocket = true;
  bool allow_upgrades = true;
  // CORS: empty = no CORS headers; "*" = any origin; else the allowed origins. An allowed Origin
  // is echoed with Access-Control-Allow-Credentials: true.
  std::vector<std::string> cors_origins;
  // Optional gate on handshakes: false -> 403 {"code":4,"message":"Forbidden"}.
  std::function<bool(const net::Request&)> allow_request;
};

}  // namespace cz::engineio
