#pragma once
// Internal: the server side of one WebSocket connection on the raw TCP socket.
//
// Memory: an idle connection holds no read buffer (reads go through a per-thread scratch buffer;
// only a partial frame is kept) and no write buffer (queued messages are shared payloads plus a
// few header bytes). Writes: everything queued while a write is in flight goes out in the next
// single gather write.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net/http.hpp"
#include "net/server_state.hpp"
#include "net/websocket_frame.hpp"
#include "util/token_bucket.hpp"

namespace cz::net {

class WebSocketSession final : public WebSocket,
                               public ServerConnection,
                               public std::enable_shared_from_this<WebSocketSession>,
                               private ws::FrameSink {
 public:
  // `socket` already belongs to `shard`'s io_context. `handshake_response` (the 101) is written
  // first; `leftover` holds bytes the HTTP parser read past the upgrade request.
  WebSocketSession(std::shared_ptr<ServerState> state, ShardId shard,
                   boost::asio::ip::tcp::socket socket, std::string handshake_response,
                   std::string leftover);
  ~WebSocketSession() override;

  // Registers with the server and writes the 101. Call on the shard thread, once.
  void begin();

  ShardId shard() const override { return shard_; }
  boost::asio::any_io_executor executor() const override { return ctx_.get_executor(); }
  void start(std::shared_ptr<WebSocketListener> listener) override;
  void send(SharedBuffer payload, bool binary) override;
  void close(std::uint16_t code) override;
  CloseCause close_cause() const override { return cause_; }
  void shutdown() override;

 private:
  struct Entry {
    std::array<std::uint8_t, ws::kMaxServerHeader> header;
    std::uint8_t header_size;
    bool is_close;
    SharedBuffer payload;
  };

  bool on_own_thread() const { return ctx_.get_executor().running_in_this_thread(); }

  // Reading.
  void read_available();
  void wait_readable();
  bool consume(char* data, std::size_t size);  // false: stop reading
  void on_message(std::string_view payload, bool binary) override;
  void on_ping(std::string_view payload) override;
  void on_pong(std::string_view payload) override;
  void on_close(std::uint16_t code, std::string_view reason) override;

  // Writing.
  void enqueue(ws::Opcode op, SharedBuffer payload);
  void schedule_flush();
  void flush();
  void on_written(const boost::system::error_code& ec, std::size_t bytes);
  void send_close(std::uint16_t code, CloseCause cause);
  void arm_close_timer();

  // Limits on what a client may make us hold or do (websocket_limits.cpp): a fragmented message
  // must be complete within websocket_fragment_timeout; pings and pongs are rate-limited.
  void watch_fragments();
  bool control_frame_allowed();

  // The end: closes the socket, unregisters, tells the listener (once).
  void finish(CloseCause cause);

  std::shared_ptr<ServerState> state_;
  ShardId shard_;
  boost::asio::io_context& ctx_;
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<WebSocketListener> listener_;
  ws::FrameParser parser_;
  std::string pending_;  // bytes of an incomplete frame
  std::vector<Entry> queue_;
  std::vector<Entry> inflight_;
  std::vector<boost::asio::const_buffer> buffers_;
  std::size_t queued_bytes_ = 0;
  std::unique_ptr<boost::asio::steady_timer> close_timer_;     // only while closing
  std::unique_ptr<boost::asio::steady_timer> fragment_timer_;  // only once a client fragmented
  TokenBucket control_frames_;
  CloseCause cause_ = CloseCause::None;
  bool started_ = false;
  bool reading_ = false;       // a read is armed
  bool read_stopped_ = false;  // no more reading (peer closed, or protocol error)
  bool writing_ = false;
  bool flush_scheduled_ = false;
  bool close_queued_ = false;  // our close frame is queued or written
  bool close_written_ = false;
  bool close_received_ = false;
  bool finished_ = false;
};

}  // namespace cz::net
