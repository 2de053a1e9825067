#pragma once
// The Engine.IO v4 server: an HttpHandler to mount at "/socket.io/". It performs handshakes,
// routes polling requests and WebSocket upgrades to their sessions (whatever shard they arrive
// on), and hands every new session to the SessionAcceptor (the Socket.IO server).
//
//   net::IoPool pool(threads);
//   socketio::Server io(pool.executors(), ...);
//   engineio::Server eio(pool, io, engineio::ServerOptions{...});
//   net::Router router;
//   router.add("/socket.io/", std::shared_ptr<net::HttpHandler>(&eio, [](auto*) {}));
//   net::HttpServer http(pool, router, {.host = ..., .port = ...,
//                                       .websocket_max_message = options.max_payload});
//   http.start();
//   ...
//   // on SIGTERM: eio.close_all(); http.stop(grace, [&] { pool.stop(); });
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "engineio/options.hpp"
#include "engineio/session_handle.hpp"
#include "net/http.hpp"
#include "net/io_pool.hpp"

namespace cz::engineio {

struct ServerContext;

struct TransportCounts {
  std::size_t polling = 0;
  std::size_t websocket = 0;
};

class Server : public net::HttpHandler {
 public:
  // `pool` and `acceptor` must outlive the server.
  Server(net::IoPool& pool, SessionAcceptor& acceptor, ServerOptions options = {});
  // Call once the I/O threads have stopped: remaining sessions are dropped without notice.
  ~Server() override;

  // Called by the net layer on the request's shard thread.
  void handle(std::shared_ptr<net::HttpExchange> exchange) override;

  // Ends every session with reason "server shutting down" (WebSockets get close code 1001,
  // pending polls the close packet). Thread-safe; the work runs on each session's shard.
  void close_all();
  // The graceful end (SIGTERM): refuses new sessions (503), closes every session as close_all()
  // does, and calls `then` (on shard 0) once no session is left, or after `limit`. A polling
  // client that was between two requests gets the close packet with its next GET, as with Node,
  // so the HTTP server must keep accepting until then: a client without keep-alive (Node's
  // socket.io-client) polls on a new connection each time.
  void drain(std::chrono::milliseconds limit, std::function<void()> then);

  std::size_t session_count() const;
  // Open sessions by their current transport (for the metrics; a moment's picture).
  TransportCounts transport_counts() const;
  const ServerOptions& options() const;

 private:
  void handle_existing(std::shared_ptr<net::HttpExchange> exchange, const std::string& sid,
                       std::string_view transport, bool upgrade);
  void handshake(std::shared_ptr<net::HttpExchange> exchange, std::string_view transport,
                 bool upgrade);
  void reject(const std::shared_ptr<net::HttpExchange>& exchange, int code, bool upgrade);
  void wait_drained(std::shared_ptr<boost::asio::steady_timer> timer,
                    std::chrono::steady_clock::time_point deadline, std::function<void()> then);

  std::shared_ptr<ServerContext> context_;
};

}  // namespace cz::engineio
