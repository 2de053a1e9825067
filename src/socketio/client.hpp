#pragma once
// One Engine.IO connection as Socket.IO sees it: decodes its messages and multiplexes the
// namespace sockets opened over it (as Node's socket.io `Client`). Lives on the connection's
// shard thread; every member is touched only there.
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/session_handle.hpp"
#include "socketio/api.hpp"
#include "socketio/packet.hpp"

namespace cz::socketio {

class Server;

class Client : public engineio::SessionListener, public std::enable_shared_from_this<Client> {
 public:
  Client(Server& server, std::shared_ptr<engineio::SessionHandle> connection);

  // Registers as the connection's listener and arms the connect timeout.
  void start();

  void on_message(std::string_view data, bool binary) override;
  void on_close(std::string_view reason) override;

  net::ShardId shard() const { return shard_; }
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Shard thread only. Dropped silently once the connection has closed.
  void send(SharedBuffer packet, bool binary);
  // Disconnects every namespace socket (DISCONNECT each), then closes the Engine.IO connection.
  void disconnect_all_and_close();
  // Middleware verdict for a socket that asked to connect.
  void finish_connect(const std::shared_ptr<Socket>& socket, std::optional<ConnectError> error);
  // A socket left (either side disconnected it).
  void remove(const Socket& socket);

 private:
  struct Entry {
    Namespace* nsp;
    std::shared_ptr<Socket> socket;
    bool connecting;  // middleware still running
  };

  void on_packet(Packet& packet);
  // Hands a malformed text packet to its namespace's on_malformed handler when there is one;
  // false when the connection must be closed instead.
  bool report_malformed(std::string_view text, const Error& error);
  void connect(Packet& packet);
  void teardown(const std::string& reason);
  void close();
  Entry* find(std::string_view nsp);
  bool any_connected() const;

  Server& server_;
  // The connection holds this Client as its listener; resetting this on close breaks the cycle.
  std::shared_ptr<engineio::SessionHandle> connection_;
  net::ShardId shard_;
  boost::asio::any_io_executor executor_;
  Reassembler reassembler_;
  std::vector<Entry> sockets_;  // few: one per namespace
  boost::asio::steady_timer connect_timer_;
  bool closing_ = false;  // we asked the connection to close
  bool closed_ = false;   // the connection reported its end
};

}  // namespace cz::socketio
