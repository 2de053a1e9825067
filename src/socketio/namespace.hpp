#pragma once
// A Socket.IO namespace: middleware, connection handler, event handlers shared by all its
// sockets (cheaper than per-socket handlers: a socket holds no handler table), and the adapter
// that knows which sockets are in which rooms.
#include <initializer_list>
#include <unordered_map>
#include <vector>

#include "socketio/api.hpp"
#include "socketio/string_hash.hpp"
#include "util/metrics.hpp"

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
  // Events this namespace's code emits under names it has no handler for (`error`, say): each
  // gets its own series in cz_socketio_events_sent_total; names neither declared nor handled
  // count as "_other". Call before the server starts accepting connections.
  void declare_emitted_events(std::initializer_list<std::string_view> names);

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

  // Metrics of socket connections: CONNECTs accepted and refused, sockets connected now.
  struct SocketCounters {
    metrics::Counter& accepted;
    metrics::Counter& refused;
    metrics::Gauge& connected;
  };
  const SocketCounters& socket_counters() const { return socket_counters_; }

  // Encodes once and hands the packet to the adapter, which calls `sent` (if any) once the
  // packet has left this process. Thread-safe.
  void broadcast(const BroadcastTarget& target, std::string_view event, Payload payload,
                 Sent sent = {});

 private:
  friend class Client;
  friend class Server;
  friend class Socket;

  // Runs middleware `index` onwards for a socket that asked to connect; ends in
  // Client::finish_connect with the verdict.
  void run_middleware(std::shared_ptr<Socket> socket, std::size_t index);

  // A namespace-wide handler with its cz_socketio_events_received_total series.
  struct HandlerEntry {
    EventHandler handler;
    metrics::Counter* received;
  };
  const HandlerEntry* find_handler(std::string_view event) const;
  // The counters of events without a namespace-wide handler, and of emitted events by name.
  metrics::Counter& received_other() const { return *received_other_; }
  metrics::Counter& sent(std::string_view event) const;
  void add_sent_counter(std::string_view event);

  Server* server_;
  std::string name_;
  std::vector<Middleware> middleware_;
  ConnectionHandler connection_handler_;
  std::unordered_map<std::string, HandlerEntry, StringHash, std::equal_to<>> handlers_;
  std::vector<DisconnectHandler> disconnect_handlers_;
  MalformedHandler malformed_handler_;
  EventHandler unknown_event_handler_;
  EventFilter event_filter_;
  std::unique_ptr<Adapter> adapter_;
  metrics::Counter* received_other_;
  metrics::Counter* sent_other_;
  std::unordered_map<std::string, metrics::Counter*, StringHash, std::equal_to<>> sent_;
  SocketCounters socket_counters_;
};

}  // namespace cz::socketio
