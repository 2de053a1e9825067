#pragma once
// Internal: one Engine.IO session: its state, heartbeat, packets and close. It lives on one
// shard; every method below except the SessionHandle ones that say "thread-safe" and
// on_websocket() runs on that shard's thread.
//
// Transports (as engine.io splits them): long-polling (polling_transport.hpp: packets buffered
// until the next GET, sent as one payload) or WebSocket (websocket_transport.hpp: packets handed
// straight to the socket's coalescing queue), and the upgrade from the first to the second
// (probe, noop to the pending GET, upgrade packet), which this class sequences.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engineio/error_response.hpp"
#include "engineio/packet.hpp"
#include "engineio/polling_transport.hpp"
#include "engineio/server_context.hpp"
#include "engineio/session_handle.hpp"
#include "engineio/websocket_transport.hpp"
#include "net/http.hpp"

namespace cz::engineio {

class Session final : public SessionHandle, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> context, std::string id, net::ShardId shard,
          HandshakeInfo handshake);
  ~Session() override;

  // --- SessionHandle ---
  const std::string& id() const override { return id_; }
  net::ShardId shard() const override { return shard_; }
  boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
  const HandshakeInfo& handshake() const override { return handshake_; }
  void set_listener(std::shared_ptr<SessionListener> listener) override;
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
  bool on_websocket() const { return on_websocket_.load(std::memory_order_acquire); }

  // --- from the WebSocket listeners ---
  void on_ws_message(const net::WebSocket* ws, std::string_view payload, bool binary);
  void on_ws_close(const net::WebSocket* ws);

 private:
  enum class State { Open, Closing, Closed };

  bool on_own_thread() const { return io_.get_executor().running_in_this_thread(); }
  void refuse(const std::shared_ptr<net::HttpExchange>& request, ErrorCode code);

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
  void close_now(std::string_view reason, PacketType poll_answer = PacketType::Close,
                 std::uint16_t ws_code = 1000);
  void finalize();
  void notify_close(std::string_view reason);

  std::shared_ptr<ServerContext> context_;
  const std::string id_;
  const net::ShardId shard_;
  boost::asio::io_context& io_;
  const HandshakeInfo handshake_;

  State state_ = State::Open;
  std::atomic<bool> on_websocket_{false};
  std::shared_ptr<SessionListener> listener_;
  bool notified_ = false;
  std::string close_reason_;
  struct Inbound {
    std::string data;
    bool binary;
  };
  std::vector<Inbound> early_messages_;  // arrived before set_listener()

  PollingTransport polling_;
  bool flush_scheduled_ = false;  // a flush of the polling buffer is posted
  WebSocketTransport websocket_;

  // Heartbeat (and, once closing, the close timeout).
  boost::asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  bool awaiting_pong_ = false;
};

}  // namespace cz::engineio
