#pragma once
// What the layer above (Socket.IO) sees of one Engine.IO session, whatever its transport
// (long-polling, WebSocket, or polling upgraded to WebSocket).
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/io_pool.hpp"
#include "util/buffer.hpp"

namespace cz::engineio {

// The request that opened the session.
struct HandshakeInfo {
  std::string url;                                           // path and query, as sent
  std::vector<std::pair<std::string, std::string>> query;    // decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;  // request headers (names lower-case)
  std::string remote_address;
  std::string transport;  // "polling" or "websocket" at the handshake
};

class SessionListener {
 public:
  virtual ~SessionListener() = default;
  // One Engine.IO message packet. For text, `data` is the message without the leading '4';
  // for binary, the raw bytes. Called on the connection's shard thread.
  virtual void on_message(std::string_view data, bool binary) = 0;
  // Called once when the session ends; `reason` as Engine.IO names it ("transport close",
  // "ping timeout", "forced close", "transport error", "slow client", "server shutting down").
  virtual void on_close(std::string_view reason) = 0;
};

class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  virtual const std::string& id() const = 0;
  virtual net::ShardId shard() const = 0;
  virtual boost::asio::any_io_executor executor() const = 0;
  virtual const HandshakeInfo& handshake() const = 0;
  // Set by the acceptor inside on_connection(); messages arriving before that are not lost.
  virtual void set_listener(std::shared_ptr<SessionListener> listener) = 0;
  // Queues one message packet. Thread-safe. For text, `packet` is the complete Engine.IO packet,
  // i.e. it starts with '4', so that a broadcast is encoded once and the same bytes become the
  // WebSocket frame of every recipient. For binary, `packet` is the raw bytes.
  virtual void send(SharedBuffer packet, bool binary) = 0;
  // Ends the session (flushes what is queued first). Thread-safe.
  virtual void close() = 0;
};

class SessionAcceptor {
 public:
  virtual ~SessionAcceptor() = default;
  // A new session is open. Called on the connection's shard thread.
  virtual void on_connection(std::shared_ptr<SessionHandle> connection) = 0;
};

}  // namespace cz::engineio
