#include "engineio/packet.hpp"

#include "util/base64.hpp"

namespace cz::engineio {

namespace {

bool is_packet_type(char c) {
  return c >= '0' && c <= '6';
}

Error malformed(std::string message) {
  return Error{"PARSE_ERROR", std::move(message)};
}

}  // namespace

Result<PacketView> decode_packet(std::string_view frame, bool binary) {
  if (binary) return PacketView{PacketType::Message, true, frame};
  if (frame.empty()) return malformed("empty packet");
  if (!is_packet_type(frame[0])) return malformed("unknown packet type");
  return PacketView{static_cast<PacketType>(frame[0]), false, frame.substr(1)};
}

Result<std::vector<Packet>> decode_payload(std::string_view body, std::size_t max_payload) {
  if (body.size() > max_payload) return malformed("payload too large");
  if (body.empty()) return malformed("empty payload");
  std::vector<Packet> packets;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = body.find(kRecordSeparator, start);
    const std::string_view part =
        body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty()) return malformed("empty packet");
    if (part[0] == 'b') {
      auto bytes = base64::decode(part.substr(1));
      if (!bytes) return malformed("invalid base64");
      packets.push_back(Packet{PacketType::Message, true, std::move(*bytes)});
    } else {
      auto packet = decode_packet(part, false);
      if (!packet) return packet.error();
      packets.push_back(Packet{packet->type, false, std::string(packet->data)});
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

std::string encode_packet(PacketType type, std::string_view data) {
  std::string out;
  out.reserve(1 + data.size());
  out.push_back(static_cast<char>(type));
  out.append(data);
  return out;
}

void append_to_payload(std::string& body, std::string_view bytes, bool binary) {
  if (!body.empty()) body.push_back(kRecordSeparator);
  if (binary) {
    body.push_back('b');
    base64::encode_append(body, bytes);
  } else {
    body.append(bytes);
  }
}

std::string encode_payload(const std::vector<OutgoingPacket>& packets) {
  std::size_t size = 0;
  for (const auto& p : packets)
    size += 1 + (p.binary ? 1 + 4 * (p.bytes->size() + 2) / 3 : p.bytes->size());
  std::string body;
  body.reserve(size);
  for (const auto& p : packets) append_to_payload(body, *p.bytes, p.binary);
  return body;
}

}  // namespace cz::engineio
