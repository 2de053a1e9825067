#pragma once
// One client's connection to one namespace.
#include "socketio/api.hpp"

namespace cz::socketio {

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  // Socket.IO id of this namespace connection (not the Engine.IO session id).
  const std::string& id() const;
  Namespace& nsp() const;
  const Handshake& handshake() const;
  net::ShardId shard() const;
  boost::asio::any_io_executor executor() const;
  bool connected() const;

  // Slot for the layer above (the messenger keeps the authenticated user here).
  std::any& data();

  // Per-socket handlers, checked before the namespace's handlers for the same event.
  void on(std::string event, EventHandler handler);
  void on_disconnect(DisconnectHandler handler);

  // Thread-safe.
  void emit(std::string_view event, Payload payload = {});
  void emit(std::string_view event, std::string json_args) {
    emit(event, Payload{std::move(json_args), {}});
  }
  // Asks the client for an ack; `callback` runs on this socket's thread with the reply or
  // with timed_out after `timeout` (also when the socket disconnects first).
  void emit_with_ack(std::string_view event, Payload payload, std::chrono::milliseconds timeout,
                     AckCallback callback);

  void join(const std::string& room);
  void leave(const std::string& room);
  const std::unordered_set<std::string>& rooms() const;

  // Broadcast to `room`, excluding this socket.
  BroadcastOperator to(std::string room) const;

  // Disconnects this namespace connection (DISCONNECT packet); with close_connection, the
  // whole Engine.IO connection.
  void disconnect(bool close_connection = false);

  // --- the implementation's part below (declared by the Socket.IO layer) ---
};

}  // namespace cz::socketio
