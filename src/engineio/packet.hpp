#pragma once
// Engine.IO v4 packet and payload codec. Pure functions: bytes in, packets out.
//
// A packet is one type digit followed by its data ("4hello", "2", "3probe"). Over WebSocket one
// frame is one packet and binary frames are binary message packets. Over long-polling several
// packets travel in one HTTP body separated by the record separator \x1e, and a binary message
// is written as "b" + base64.
#include <string>
#include <string_view>
#include <vector>

#include "util/buffer.hpp"
#include "util/result.hpp"

namespace cz::engineio {

enum class PacketType : char {
  Open = '0',
  Close = '1',
  Ping = '2',
  Pong = '3',
  Message = '4',
  Upgrade = '5',
  Noop = '6',
};

inline constexpr char kRecordSeparator = '\x1e';

// A decoded packet whose data views the input (zero copy; valid while the input is).
struct PacketView {
  PacketType type = PacketType::Noop;
  bool binary = false;
  std::string_view data;
};

// A decoded packet that owns its data (binary packets of a polling payload are decoded from
// base64, so they cannot view the input).
struct Packet {
  PacketType type = PacketType::Noop;
  bool binary = false;
  std::string data;
};

// One packet of the WebSocket transport: a text frame ("4hello") or a binary frame (the raw
// bytes of a binary message).
Result<PacketView> decode_packet(std::string_view frame, bool binary);

// A long-polling body. Fails on an empty body, an empty or malformed packet, bad base64, or a
// body larger than `max_payload` bytes.
Result<std::vector<Packet>> decode_payload(std::string_view body, std::size_t max_payload);

// Type digit + data, e.g. encode_packet(PacketType::Pong, "probe") == "3probe".
std::string encode_packet(PacketType type, std::string_view data = {});

// A packet waiting to be sent: `bytes` is the complete encoded text packet (starting with its
// type digit) or, when `binary`, the raw bytes of a binary message.
struct OutgoingPacket {
  SharedBuffer bytes;
  bool binary = false;
};

// Appends one packet to a polling body under construction (adds the separator when needed).
void append_to_payload(std::string& body, std::string_view bytes, bool binary);

// The polling body for `packets`.
std::string encode_payload(const std::vector<OutgoingPacket>& packets);

}  // namespace cz::engineio
