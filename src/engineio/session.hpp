#pragma once
// Internal: one Engine.IO session. It lives on one shard; every method below except the
// Connection ones that say "thread-safe" and on_websocket() runs on that shard's thread.
//
// Transports: long-polling (packets buffered until the next GET, sent as one payload) or
// WebSocket (packets handed straight to the socket's coalescing queue), and the upgrade from the
// first to the second (probe, noop to the pending GET, upgrade packet).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engineio/connection.hpp"
#include "engineio/packet.hpp"
#include "engineio/server_context.hpp"
#include "net/http.hpp"

namespace cz::engineio {

class Session final : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> context, std::string id, net::ShardId shard,
          HandshakeInfo handshake);
  ~Session() override;

  // --- Connection ---
  const std::string& id() const override { return id_; }
  net::ShardId shard() const override { return shard_; }
  boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
  const HandshakeInfo& handshake() const override { return handshake_; }
  void set_listener(std::shared_ptr<ConnectionListener> listener) override;
  void send(SharedBuffer packet, bool binary) override;  // thread-safe
  void close() override;                                 // thread-safe

  // --- opening (once, on the shard thread; the session is already in the table) ---
  void open_polling(std::shared_ptr<net::HttpExchange> handshake_get);
  void open_websocket(std::shared_ptr<net::WebSocket> ws);

  // --- requests carrying this sid ---
  void on_poll(std::shared_ptr<net::HttpExchange> get);
  void on_data(std::shared_ptr<net::HttpExchange> post);
  void on_poll_aborted(const net::HttpExchange* get);
  void on_upgrade(std::shared_ptr<net::WebSocket> ws);
  // The server is stopping.
  void shutdown();
  // The server object is being destroyed and the I/O threads no longer run: drops the
  // references that would otherwise keep sessions, listeners and sockets alive in a cycle.
  void abandon();

  // Any thread: whether the session has moved to WebSocket (requests are checked against it).
  bool on_websocket() const { return websocket_.load(std::memory_order_acquire); }

  // --- from the WebSocket listeners ---
  void on_ws_message(const net::WebSocket* ws, std::string_view payload, bool binary);
  void on_ws_close(const net::WebSocket* ws);

 private:
  enum class State { open, closing, closed };

  bool on_own_thread() const { return io_.get_executor().running_in_this_thread(); }
  void respond(const std::shared_ptr<net::HttpExchange>& exchange, net::Response response);
  void respond_payload(std::shared_ptr<net::HttpExchange> exchange, std::string body);

  void send_packet(SharedBuffer bytes, bool binary);
  void schedule_poll_flush();
  void flush_poll();
  void handle_packet(PacketType type, std::string_view data, bool binary);
  void deliver(std::string_view data, bool binary);

  void schedule_ping();
  void on_heartbeat(std::uint64_t generation);
  void on_pong();

  void on_probe_message(std::string_view payload, bool binary);
  void complete_upgrade();
  void abandon_upgrade();

  void begin_close();  // server-initiated, graceful
  // Ends the session now. `poll_answer` is what a pending GET receives ("1" close, "6" noop).
  void close_now(std::string_view reason, PacketType poll_answer = PacketType::close,
                 std::uint16_t ws_code = 1000);
  void finalize();
  void notify_close(std::string_view reason);

  std::shared_ptr<ServerContext> context_;
  const std::string id_;
  const net::ShardId shard_;
  boost::asio::io_context& io_;
  const HandshakeInfo handshake_;

  State state_ = State::open;
  std::atomic<bool> websocket_{false};
  std::shared_ptr<ConnectionListener> listener_;
  bool notified_ = false;
  std::string close_reason_;
  struct Inbound {
    std::string data;
    bool binary;
  };
  std::vector<Inbound> early_messages_;  // arrived before set_listener()

  // Polling.
  std::shared_ptr<net::HttpExchange> poll_;  // the pending GET
  std::vector<OutgoingPacket> buffer_;
  std::size_t buffered_bytes_ = 0;
  bool flush_scheduled_ = false;

  // WebSocket.
  std::shared_ptr<net::WebSocket> ws_;
  std::shared_ptr<net::WebSocket> probe_;  // upgrade in progress
  bool probe_answered_ = false;
  std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;

  // Heartbeat (and, once closing, the close timeout).
  boost::asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  bool awaiting_pong_ = false;
};

}  // namespace cz::engineio
