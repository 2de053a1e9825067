#pragma once
// A minimal WebSocket client connection on raw Asio, made for holding thousands of connections
// on one thread: small per-connection state, frames coalesced into one write while a write is
// in flight, frames parsed in place from one read buffer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cz::loadgen {

enum class WsFailure { tcp_connect, handshake, protocol, closed };

class WsClient {
 public:
  class Listener {
   public:
    virtual void on_ws_open() = 0;
    // A complete text message; the bytes may be modified by the callee (they are consumed).
    virtual void on_ws_text(char* data, std::size_t size) = 0;
    virtual void on_ws_failed(WsFailure failure, std::string_view detail) = 0;

   protected:
    ~Listener() = default;
  };

  WsClient(boost::asio::io_context& io, Listener& listener);
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Connects and sends the upgrade request for `target` (path + query).
  void start(const boost::asio::ip::tcp::endpoint& endpoint, std::string target);
  void send_text(std::string_view payload);
  // Closes the TCP connection at once (no close handshake: the load generator is done).
  void abort();
  bool is_open() const { return state_ == State::open; }

 private:
  enum class State { idle, connecting, handshaking, open, closed };

  void on_connected(const boost::system::error_code& ec, std::string request);
  void read_more();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  bool consume_handshake();
  bool consume_frames();
  bool handle_frame(unsigned opcode, bool fin, char* payload, std::size_t size);
  void queue_frame(unsigned opcode, std::string_view payload);
  void flush();
  void fail(WsFailure failure, std::string_view detail);

  boost::asio::ip::tcp::socket socket_;
  Listener& listener_;
  State state_ = State::idle;
  std::string expected_accept_;
  std::unique_ptr<char[]> in_;
  std::size_t in_capacity_ = 0;
  std::size_t in_used_ = 0;
  std::string fragments_;  // a fragmented message being reassembled
  unsigned fragment_opcode_ = 0;
  std::string out_pending_;
  std::string out_writing_;
  bool writing_ = false;
};

}  // namespace cz::loadgen
