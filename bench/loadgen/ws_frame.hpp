#pragma once
// WebSocket (RFC 6455) framing for a client: pure functions, bytes in, frames out.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cz::loadgen {

enum class WsOpcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

struct WsFrameView {
  enum class Status { need_more, frame, error };
  Status status = Status::need_more;
  bool fin = false;
  WsOpcode opcode = WsOpcode::text;
  std::size_t header_size = 0;   // payload starts here
  std::size_t payload_size = 0;  // frame ends at header_size + payload_size
  std::uint32_t mask = 0;        // nonzero only when the peer (wrongly) masked the frame
  bool masked = false;
};

// Reads one frame header from the start of `data`. Frames larger than `max_payload` are an error.
WsFrameView parse_ws_frame(std::string_view data, std::size_t max_payload);

// Appends a masked client frame (FIN set) carrying `payload` to `out`. A client must mask
// every frame; `mask_key` is the 4-byte key.
void append_ws_frame(std::string& out, WsOpcode opcode, std::string_view payload,
                     std::uint32_t mask_key);

// XORs `data` in place with the 4-byte key, as sent on the wire (big-endian key bytes).
void apply_ws_mask(char* data, std::size_t size, std::uint32_t mask_key);

// The Sec-WebSocket-Accept value a server must answer to `key`.
std::string ws_accept_for_key(std::string_view key);

}  // namespace cz::loadgen
