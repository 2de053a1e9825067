#pragma once
// A Socket.IO namespace: middleware, connection handler, event handlers shared by all its
// sockets (cheaper than per-socket handlers: a socket holds no handler table), and the adapter
// that knows which sockets are in which rooms.
#include <unordered_map>
#include <vector>

#include "socketio/api.hpp"
#include "socketio/string_hash.hpp"

namespace cz::socketio {

class Adapter;
class Client;
class Server;

class Namespace {
 public:
  const std::string& name() const;

  // Configuration; call before the server starts accepting connections.
  void use(Middleware middleware);
  void on_connection(ConnectionHandler handler);
  void on(std::string event, EventHandler handler);
  void on_disconnect(DisconnectHandler handler);
  // An EVENT packet whose header (namespace, ack id) decodes but whose payload does not, sent
  // by a socket connected to this namespace. Without a handler the whole connection is closed,
  // as Node does; with one, the handler answers (an error ack or event) and the connection
  // stays up, so that one bad packet from an app does not drop every namespace of its client.
  void on_malformed(MalformedHandler handler);
  // An event no handler listens to. Without one it is dropped, as Node does (and a client
  // waiting for its ack waits in vain).
  void on_unknown_event(EventHandler handler);
  // Called before every event of this namespace (rate limits, for one); see EventFilter.
  void use_event_filter(EventFilter filter);

  // Broadcasting; thread-safe.
  BroadcastOperator to(std::string room);
  BroadcastOperator except(std::string room);
  void emit(std::string_view event, Payload payload = {});
  void emit(std::string_view event, std::string json_args) {
    emit(event, Payload{std::move(json_args), {}});
  }

  Adapter& adapter();

  // --- the implementation's part below (declared by the Socket.IO layer) ---
  Namespace(Server& server, std::string name);
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  Server& server() const { return *server_; }
  // One executor per I/O thread, indexed by net::ShardId (the server's).
  const std::vector<boost::asio::any_io_executor>& shards() const;

  // Encodes once and hands the packet to the adapter. Thread-safe.
  void broadcast(const BroadcastTarget& target, std::string_view event, Payload payload);

 private:
  friend class Client;
  friend class Server;
  friend class Socket;

  // Runs middleware `index` onwards for a socket that asked to connect; ends in
  // Client::finish_connect with the verdict.
  void run_middleware(std::shared_ptr<Socket> socket, std::size_t index);
  const EventHandler* find_handler(std::string_view event) const;

  Server* server_;
  std::string name_;
  std::vector<Middleware> middleware_;
  ConnectionHandler connection_handler_;
  std::unordered_map<std::string, EventHandler, StringHash, std::equal_to<>> handlers_;
  std::vector<DisconnectHandler> disconnect_handlers_;
  MalformedHandler malformed_handler_;
  EventHandler unknown_event_handler_;
  EventFilter event_filter_;
  std::unique_ptr<Adapter> adapter_;
};

}  // namespace cz::socketio
