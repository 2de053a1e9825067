#pragma once
// One client's connection to one namespace.
#include <boost/asio/steady_timer.hpp>

#include "socketio/api.hpp"
#include "socketio/string_hash.hpp"

namespace cz::engineio {
struct HandshakeInfo;
}

namespace cz::socketio {

class Client;
class Packet;

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
  // Broadcast to the whole namespace except this socket (Node's `socket.broadcast`); narrow it
  // with .to(room).
  BroadcastOperator broadcast() const;

  // Disconnects this namespace connection (DISCONNECT packet); with close_connection, the
  // whole Engine.IO connection.
  void disconnect(bool close_connection = false);

  // --- the implementation's part below (declared by the Socket.IO layer) ---
  // Built by the Client when a CONNECT for `nsp` arrives; connected once middleware agrees.
  Socket(Namespace& nsp, std::shared_ptr<Client> client, std::string id,
         const engineio::HandshakeInfo& info, const rapidjson::Value& auth);
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Queues already-encoded Engine.IO packets (text first, then binary attachments) when
  // connected. Shard thread only; used for broadcasts.
  void deliver(const std::vector<SharedBuffer>& encoded);

 private:
  friend class Client;
  friend class Namespace;

  struct PendingAck {
    std::uint64_t id;
    AckCallback callback;
    boost::asio::steady_timer timer;
  };

  bool on_own_thread() const;
  // Shard thread only.
  void on_connect();
  void on_packet(Packet& packet);
  void on_event(Packet& packet);
  void on_ack(Packet& packet);
  void on_ack_timeout(std::uint64_t id);
  void on_close(std::string_view reason);
  Ack make_ack(std::uint64_t id);
  void send_ack(std::uint64_t id, Payload payload);
  void send_now(SharedBuffer text, const std::vector<SharedBuffer>& attachments);

  Namespace* nsp_;
  std::shared_ptr<Client> client_;
  std::string id_;
  // Allocator for the copy of the CONNECT auth: small chunks instead of RapidJSON's default
  // 64 KiB (declared before handshake_, which uses it).
  rapidjson::MemoryPoolAllocator<> auth_allocator_;
  Handshake handshake_;
  std::any data_;
  enum class State : std::uint8_t { Connecting, Connected, Disconnected };
  State state_ = State::Connecting;
  std::uint64_t next_ack_id_ = 0;
  std::unordered_set<std::string> rooms_;
  // Per-socket handlers exist only if socket.on() was used.
  std::unique_ptr<std::unordered_map<std::string, EventHandler, StringHash, std::equal_to<>>>
      handlers_;
  std::vector<DisconnectHandler> disconnect_handlers_;
  std::vector<std::unique_ptr<PendingAck>> pending_acks_;
};

}  // namespace cz::socketio
