#pragma once
// RFC 6455 frame codec, server side. Pure: bytes in, events out; no sockets, no allocation on
// the unfragmented path (payloads are unmasked in place and handed out as views).
//
// Why our own codec and not beast::websocket: we need to coalesce many queued messages into one
// write and to keep an idle connection's memory to a few hundred bytes, which Beast's stream
// (with its fixed per-connection buffers) cannot do.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cz::net::ws {

enum class Opcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;  // never sent; "the peer gave no code"
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

// Largest header a server frame needs: 2 bytes + 8 bytes of extended length (no mask).
inline constexpr std::size_t kMaxServerHeader = 10;
// Control frames carry at most 125 bytes of payload (RFC 6455 5.5).
inline constexpr std::size_t kMaxControlPayload = 125;

// What the parser reports. Views point into the caller's buffer (or the parser's fragment
// buffer) and are valid only during the call.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_message(std::string_view payload, bool binary) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_pong(std::string_view payload) = 0;
  // The peer's close frame; `code` is close_code::no_status when it carried none.
  virtual void on_close(std::uint16_t code, std::string_view reason) = 0;
};

struct ParseResult {
  std::size_t consumed = 0;  // bytes of complete frames; the rest must be kept for later
  std::uint16_t error = 0;   // non-zero: close the connection with this code
  bool closed = false;       // a close frame was parsed; nothing after it is read
};

// Parses client frames. One instance per connection; it only keeps the state of a fragmented
// message in progress.
class FrameParser {
 public:
  explicit FrameParser(std::size_t max_message_size) : max_message_size_(max_message_size) {}

  // Parses every complete frame in [data, data+size), unmasking payloads in place, and reports
  // them to `sink`. Stops at the first incomplete frame, after a close frame, or on a protocol
  // error. A frame whose declared size is over the limit is rejected from its header alone.
  ParseResult parse(char* data, std::size_t size, FrameSink& sink);

  // How many bytes the frame starting at `data` needs in total (header + payload), or 0 when
  // even the header is incomplete. Lets the reader size its buffer for a large frame.
  static std::size_t frame_size(const char* data, std::size_t size);

  void set_max_message_size(std::size_t n) { max_message_size_ = n; }
  // True while a fragmented message is being assembled (it then owns heap memory).
  bool assembling() const { return in_message_; }

 private:
  std::uint16_t on_frame(bool fin, Opcode op, char* payload, std::size_t len, FrameSink& sink,
                         bool& closed);
  std::uint16_t on_close_frame(const char* payload, std::size_t len, FrameSink& sink);

  std::size_t max_message_size_;
  bool in_message_ = false;
  bool message_binary_ = false;
  std::string fragments_;
};

// Writes the header of an unmasked server frame into `out` (at least kMaxServerHeader bytes);
// returns its length.
std::size_t encode_header(std::uint8_t* out, Opcode op, std::uint64_t payload_size,
                          bool fin = true);

// A complete unmasked server frame (for control frames and tests; data frames are written as
// header + shared payload without this copy).
std::string encode_frame(Opcode op, std::string_view payload, bool fin = true);

// The payload of a close frame: 2-byte code + reason (reason cut to fit 125 bytes).
std::string encode_close_payload(std::uint16_t code, std::string_view reason = {});

// A masked client frame; used by tests and test clients.
std::string encode_client_frame(Opcode op, std::string_view payload, std::uint32_t mask_key,
                                bool fin = true);

// XORs `size` bytes with the 4-byte mask, starting at mask position `offset % 4`.
void apply_mask(char* data, std::size_t size, const std::uint8_t mask[4], std::size_t offset = 0);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA1(key + RFC 6455 GUID)).
std::string accept_key(std::string_view client_key);

}  // namespace cz::net::ws
