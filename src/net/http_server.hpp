#pragma once
// The HTTP/1.1 + WebSocket server: one listener on shard 0 hands each accepted connection to a
// shard (round robin) where it lives for good. Requests are dispatched to one HttpHandler
// (usually a Router).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/http.hpp"
#include "net/io_pool.hpp"
#include "util/token_bucket.hpp"

namespace cz::net {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: the OS picks one; see HttpServer::port()
  int backlog = 1024;
  std::size_t body_limit = 2 * 1024 * 1024;  // larger request bodies get 413
  std::uint32_t header_limit = 16 * 1024;    // larger request headers get 431
  // A keep-alive connection waiting for its next request (and its headers) is closed after this.
  std::chrono::milliseconds idle_timeout{60000};
  // A request whose headers arrived must have its whole body within this.
  std::chrono::milliseconds read_timeout{30000};
  // A WebSocket message larger than this closes the connection with 1009.
  std::size_t websocket_max_message = 1'000'000;
  // Bytes a WebSocket may have waiting to be written; over it the client is too slow and the
  // connection is closed.
  std::size_t websocket_send_queue_limit = 4 * 1024 * 1024;
  // After sending a close frame, how long to wait for the peer's before dropping the socket.
  std::chrono::milliseconds websocket_close_timeout{5000};
  // A fragmented WebSocket message must be complete within this (its fragments are held in
  // memory meanwhile); otherwise the connection is closed with 1008.
  std::chrono::milliseconds websocket_fragment_timeout{10000};
  // Pings and pongs a WebSocket client may send (each ping costs us a pong); over it the
  // connection is closed with 1008. per_second 0: unlimited.
  TokenRate websocket_control_rate{10, 50};
  // A request's headers must be complete within this, counted from the connection's accept for
  // the first request and from the first byte of each later one (the wait between keep-alive
  // requests is idle_timeout).
  std::chrono::milliseconds header_timeout{10000};
  // Connections of one client address whose request headers are still incomplete; a new
  // connection over it is closed at once. 0: no cap (behind a proxy, which has one address).
  std::size_t max_pending_headers_per_ip = 256;
};

class HttpServer {
 public:
  // `handler` (usually a Router) must outlive the server.
  HttpServer(IoPool& pool, HttpHandler& handler, HttpServerOptions options = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and listens, without accepting yet: an address that cannot be bound is reported up
  // front, while the server may still wait for something before it serves (a cluster node for
  // its Redis subscription). Throws boost::system::system_error. Idempotent.
  void open();
  // Opens (if not yet) and starts accepting on shard 0. Throws as open(). Call before
  // IoPool::run() or from shard 0.
  void start();
  // The bound port (useful with port 0). Valid after open().
  std::uint16_t port() const;
  const HttpServerOptions& options() const;

  // Stops accepting and closes every connection: idle HTTP connections at once, those with a
  // response in progress after it, WebSockets with a close frame (1001). `done` runs on shard 0
  // once every connection is gone, or after `grace` at the latest. Thread-safe; call once.
  void stop(std::chrono::milliseconds grace, std::function<void()> done);

  // Open connections (HTTP and WebSocket) over all shards.
  std::size_t connection_count() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cz::net
