#pragma once
// Engine.IO v4 / Socket.IO v5 text packets as a client sees them: pure functions.
// Wire form of a Socket.IO packet inside an Engine.IO message ("4"):
//   4<type>[<namespace>,][<ack id>][<json>]     e.g. 42/messenger,7["new_message",{...}]
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cz::loadgen {

enum class EioType : char {
  open = '0',
  close = '1',
  ping = '2',
  pong = '3',
  message = '4',
  upgrade = '5',
  noop = '6'
};

enum class SioType : char {
  connect = '0',
  disconnect = '1',
  event = '2',
  ack = '3',
  connect_error = '4',
  binary_event = '5',
  binary_ack = '6',
};

struct SioPacket {
  SioType type = SioType::event;
  std::string_view nsp = "/";
  std::optional<std::uint64_t> ack_id;
  std::string_view data;  // JSON text (may be empty)
};

// Parses the Socket.IO packet carried by an Engine.IO message payload (the text after "4").
std::optional<SioPacket> parse_sio_packet(std::string_view text);

// Appends "4" + Socket.IO packet text. `data` is JSON text (may be empty); ack_id 0 = none.
void append_sio_packet(std::string& out, SioType type, std::string_view nsp, std::uint64_t ack_id,
                       std::string_view data);

}  // namespace cz::loadgen
