#pragma once
// The seam between the I/O layer and the protocols above it.
//
// The net layer owns sockets, HTTP parsing and WebSocket framing; it knows nothing of Engine.IO
// or REST. Handlers are registered on a Router by path prefix and receive one HttpExchange per
// request. A handler may answer later (long-polling) from any thread, or take the connection
// over as a WebSocket.
#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/io_pool.hpp"
#include "util/buffer.hpp"

namespace cz::net {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class WebSocketListener {
 public:
  virtual ~WebSocketListener() = default;
  // One complete (reassembled) data message. Called on the WebSocket's shard thread.
  virtual void on_message(std::string_view payload, bool binary) = 0;
  // Called once when the connection is gone (closed by either side, error, or slow client).
  virtual void on_close() = 0;
};

class WebSocket {
 public:
  virtual ~WebSocket() = default;
  virtual ShardId shard() const = 0;
  virtual boost::asio::any_io_executor executor() const = 0;
  // Starts reading; messages go to `listener`. Call once, on executor().
  virtual void start(std::shared_ptr<WebSocketListener> listener) = 0;
  // Queues one message. Thread-safe (posts to the shard when called elsewhere). Queued messages
  // are coalesced into one write; a queue over its byte bound closes the connection.
  virtual void send(SharedBuffer payload, bool binary) = 0;
  // Sends a close frame after what is queued and then closes. Thread-safe.
  virtual void close(std::uint16_t code = 1000) = 0;

  // --- added by the net layer (additive) ---
  // Why the connection ended, for the layer above to name it; meaningful once on_close() ran.
  enum class CloseCause {
    None,           // still open
    Local,          // close() was called
    Remote,         // the peer sent a close frame or closed the TCP connection
    ProtocolError,  // the peer broke RFC 6455 (close code 1002/1007)
    TooBig,         // a message over the size limit (close code 1009)
    SlowClient,     // the send queue went over its byte bound
    IoError,        // a socket error
    Shutdown,       // the server is stopping
  };
  virtual CloseCause close_cause() const { return CloseCause::None; }
};

// One HTTP request waiting for its answer.
class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual const Request& request() const = 0;
  virtual const std::string& remote_address() const = 0;
  virtual ShardId shard() const = 0;
  virtual boost::asio::any_io_executor executor() const = 0;
  // Sends the response. Thread-safe; call exactly once (or accept_websocket() instead).
  virtual void respond(Response response) = 0;
  // True for a valid `Upgrade: websocket` request.
  virtual bool is_websocket_upgrade() const = 0;
  // Completes the WebSocket handshake (101) and hands the connection over. Call on executor().
  virtual std::shared_ptr<WebSocket> accept_websocket() = 0;

  // --- added by the net layer (additive) ---
  // As accept_websocket(), but the connection is moved to shard `target` (its socket is
  // re-registered with that shard's io_context), so that it lives on the same thread as the
  // session it belongs to. Call on executor(); the returned WebSocket's start() is then called on
  // its own executor (the target shard). Returns nullptr when the request is not a valid upgrade.
  virtual std::shared_ptr<WebSocket> accept_websocket(ShardId target) {
    return target == shard() ? accept_websocket() : nullptr;
  }
  // Called (on executor()) when the client goes away before the response was sent, e.g. a
  // long-poll whose TCP connection closed. Set it on executor(), before responding.
  virtual void set_abort_handler(std::function<void()> handler) { (void)handler; }
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called on the exchange's shard thread.
  virtual void handle(std::shared_ptr<HttpExchange> exchange) = 0;
};

}  // namespace cz::net
