#pragma once
// A Socket.IO namespace: middleware, connection handler, event handlers shared by all its
// sockets (cheaper than per-socket handlers: a socket holds no handler table), and the adapter
// that knows which sockets are in which rooms.
#include "socketio/api.hpp"

namespace cz::socketio {

class Adapter;

class Namespace {
 public:
  const std::string& name() const;

  // Configuration; call before the server starts accepting connections.
  void use(Middleware middleware);
  void on_connection(ConnectionHandler handler);
  void on(std::string event, EventHandler handler);
  void on_disconnect(DisconnectHandler handler);

  // Broadcasting; thread-safe.
  BroadcastOperator to(std::string room);
  BroadcastOperator except(std::string room);
  void emit(std::string_view event, Payload payload = {});

  Adapter& adapter();

  // --- the implementation's part below (declared by the Socket.IO layer) ---
};

}  // namespace cz::socketio
