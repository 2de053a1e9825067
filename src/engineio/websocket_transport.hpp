#pragma once
// The WebSocket side of one Engine.IO session: the socket once the session is on WebSocket, and
// the probe of an upgrade in progress (a second socket that answers "2probe" with "3probe" and
// becomes the session's socket on "5"). Owned by its Session and used on the session's shard
// thread only; what to do with the packets and when to close is the session's.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "net/http.hpp"
#include "util/buffer.hpp"

namespace cz::engineio {

class WebSocketTransport {
 public:
  explicit WebSocketTransport(boost::asio::io_context& io) : io_(io) {}

  // --- the session's socket ---
  bool open() const { return socket_ != nullptr; }
  bool is_socket(const net::WebSocket* ws) const { return socket_ && ws == socket_.get(); }
  void attach(std::shared_ptr<net::WebSocket> ws, std::shared_ptr<net::WebSocketListener> l);
  // Handed to the socket's coalescing send queue.
  void send(SharedBuffer bytes, bool binary) { socket_->send(std::move(bytes), binary); }
  // Closes the socket (if any) with `code`; queued packets go out before the close frame.
  void close(std::uint16_t code);
  net::WebSocket::CloseCause close_cause() const { return socket_->close_cause(); }

  // --- the upgrade ---
  bool probing() const { return probe_ != nullptr; }
  bool is_probe(const net::WebSocket* ws) const { return probe_ && ws == probe_.get(); }
  bool probe_answered() const { return probe_answered_; }
  // Starts the probe; `on_timeout(probe)` runs if it is still the probe after `timeout`.
  void start_probe(std::shared_ptr<net::WebSocket> ws, std::shared_ptr<net::WebSocketListener> l,
                   std::chrono::milliseconds timeout,
                   std::function<void(const net::WebSocket* probe)> on_timeout);
  // "2probe" came: answers "3probe".
  void answer_probe();
  // "5" came: the probe becomes the session's socket.
  void promote_probe();
  // The probe failed, timed out or closed: forgets it, closing it first when `close_it`.
  void drop_probe(bool close_it);

  // Drops every reference (the server is gone; nothing runs any more).
  void release();

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<net::WebSocket> socket_;
  std::shared_ptr<net::WebSocket> probe_;
  bool probe_answered_ = false;
  std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;
};

}  // namespace cz::engineio
