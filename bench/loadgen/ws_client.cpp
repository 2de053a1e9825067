#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cstring>
#include <random>

#include "base64.hpp"
#include "ws_frame.hpp"

namespace cz::loadgen {
namespace asio = boost::asio;

namespace {

constexpr std::size_t initial_read_buffer = 2048;
constexpr std::size_t max_frame_payload = 16 * 1024 * 1024;

// Mask keys need only be unpredictable to intermediaries, which loopback has none of: a fast
// generator keeps masking cheap.
std::uint32_t next_mask_key() {
  thread_local std::uint32_t state = std::random_device{}() | 1u;
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

std::string make_websocket_key() {
  char raw[16];
  for (int i = 0; i < 16; i += 4) {
    const std::uint32_t v = next_mask_key();
    std::memcpy(raw + i, &v, 4);
  }
  return base64_encode(std::string_view(raw, sizeof(raw)));
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

}  // namespace

WsClient::WsClient(asio::io_context& io, Listener& listener) : socket_(io), listener_(listener) {}

void WsClient::start(const asio::ip::tcp::endpoint& endpoint, std::string target) {
  const std::string key = make_websocket_key();
  expected_accept_ = ws_accept_for_key(key);
  std::string request =
      "GET " + target + " HTTP/1.1\r\nHost: " + endpoint.address().to_string() + ":" +
      std::to_string(endpoint.port()) +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
      "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  state_ = State::connecting;
  socket_.async_connect(
      endpoint, [this, request = std::move(request)](const boost::system::error_code& ec) mutable {
        on_connected(ec, std::move(request));
      });
}

void WsClient::on_connected(const boost::system::error_code& ec, std::string request) {
  if (state_ == State::closed) return;
  if (ec) return fail(WsFailure::tcp_connect, ec.message());
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  state_ = State::handshaking;
  out_pending_ = std::move(request);
  flush();
  read_more();
}

void WsClient::read_more() {
  if (in_capacity_ - in_used_ < initial_read_buffer / 2) {
    const std::size_t capacity = in_capacity_ == 0 ? initial_read_buffer : in_capacity_ * 2;
    auto bigger = std::make_unique<char[]>(capacity);
    if (in_used_) std::memcpy(bigger.get(), in_.get(), in_used_);
    in_ = std::move(bigger);
    in_capacity_ = capacity;
  }
  socket_.async_read_some(
      asio::buffer(in_.get() + in_used_, in_capacity_ - in_used_),
      [this](const boost::system::error_code& ec, std::size_t bytes) { on_read(ec, bytes); });
}

void WsClient::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (state_ == State::closed) return;
  if (ec) return fail(WsFailure::closed, ec.message());
  in_used_ += bytes;
  if (state_ == State::handshaking && !consume_handshake()) return;
  if (state_ == State::open && !consume_frames()) return;
  if (state_ != State::closed) read_more();
}

// Returns false when the connection failed; otherwise leaves the bytes after the response.
bool WsClient::consume_handshake() {
  const std::string_view text(in_.get(), in_used_);
  const auto end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in_used_ > 16 * 1024) fail(WsFailure::handshake, "response header too large");
    return state_ != State::closed;
  }
  const std::string_view head = text.substr(0, end + 2);
  if (head.substr(0, 12) != "HTTP/1.1 101") {
    fail(WsFailure::handshake, head.substr(0, head.find("\r\n")));
    return false;
  }
  bool accepted = false;
  for (std::size_t pos = head.find("\r\n") + 2; pos < head.size();) {
    const auto eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol - pos);
    if (iequals_prefix(line, "sec-websocket-accept:")) {
      line.remove_prefix(21);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      accepted = line == expected_accept_;
    }
    pos = eol + 2;
  }
  if (!accepted) {
    fail(WsFailure::handshake, "bad Sec-WebSocket-Accept");
    return false;
  }
  const std::size_t consumed = end + 4;
  std::memmove(in_.get(), in_.get() + consumed, in_used_ - consumed);
  in_used_ -= consumed;
  state_ = State::open;
  listener_.on_ws_open();
  return state_ != State::closed;
}

bool WsClient::consume_frames() {
  std::size_t pos = 0;
  while (state_ == State::open) {
    const auto frame =
        parse_ws_frame(std::string_view(in_.get() + pos, in_used_ - pos), max_frame_payload);
    if (frame.status == WsFrameView::Status::error) {
      fail(WsFailure::protocol, "bad frame");
      return false;
    }
    if (frame.status == WsFrameView::Status::need_more) break;
    char* payload = in_.get() + pos + frame.header_size;
    if (frame.masked) apply_ws_mask(payload, frame.payload_size, frame.mask);
    pos += frame.header_size + frame.payload_size;
    if (!handle_frame(static_cast<unsigned>(frame.opcode), frame.fin, payload, frame.payload_size))
      return false;
  }
  if (state_ == State::closed) return false;
  if (pos) {
    std::memmove(in_.get(), in_.get() + pos, in_used_ - pos);
    in_used_ -= pos;
  }
  return true;
}

bool WsClient::handle_frame(unsigned opcode, bool fin, char* payload, std::size_t size) {
  switch (static_cast<WsOpcode>(opcode)) {
    case WsOpcode::text:
    case WsOpcode::binary:
      if (fin) {
        if (opcode == static_cast<unsigned>(WsOpcode::text)) listener_.on_ws_text(payload, size);
      } else {
        fragment_opcode_ = opcode;
        fragments_.assign(payload, size);
      }
      break;
    case WsOpcode::continuation:
      fragments_.append(payload, size);
      if (fin && fragment_opcode_ == static_cast<unsigned>(WsOpcode::text)) {
        std::string message = std::move(fragments_);
        fragments_.clear();
        listener_.on_ws_text(message.data(), message.size());
      }
      break;
    case WsOpcode::ping:
      queue_frame(static_cast<unsigned>(WsOpcode::pong), std::string_view(payload, size));
      break;
    case WsOpcode::pong:
      break;
    case WsOpcode::close:
      fail(WsFailure::closed, "closed by server");
      return false;
    default:
      fail(WsFailure::protocol, "unknown opcode");
      return false;
  }
  return state_ != State::closed;
}

void WsClient::send_text(std::string_view payload) {
  if (state_ != State::open) return;
  queue_frame(static_cast<unsigned>(WsOpcode::text), payload);
}

void WsClient::queue_frame(unsigned opcode, std::string_view payload) {
  append_ws_frame(out_pending_, static_cast<WsOpcode>(opcode), payload, next_mask_key());
  if (!writing_) flush();
}

void WsClient::flush() {
  writing_ = true;
  std::swap(out_pending_, out_writing_);
  asio::async_write(socket_, asio::buffer(out_writing_),
                    [this](const boost::system::error_code& ec, std::size_t) {
                      writing_ = false;
                      out_writing_.clear();
                      if (state_ == State::closed) return;
                      if (ec) return fail(WsFailure::closed, ec.message());
                      if (!out_pending_.empty()) flush();
                    });
}

void WsClient::fail(WsFailure failure, std::string_view detail) {
  if (state_ == State::closed) return;
  abort();
  listener_.on_ws_failed(failure, detail);
}

void WsClient::abort() {
  state_ = State::closed;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace cz::loadgen
