#include "sio_packet.hpp"

namespace cz::loadgen {

std::optional<SioPacket> parse_sio_packet(std::string_view text) {
  if (text.empty() || text[0] < '0' || text[0] > '6') return std::nullopt;
  SioPacket packet;
  packet.type = static_cast<SioType>(text[0]);
  std::size_t pos = 1;
  if (packet.type == SioType::binary_event || packet.type == SioType::binary_ack) {
    const auto dash = text.find('-', pos);  // "<n>-": attachments follow as binary frames
    if (dash == std::string_view::npos) return std::nullopt;
    pos = dash + 1;
  }
  if (pos < text.size() && text[pos] == '/') {
    const auto comma = text.find(',', pos);
    if (comma == std::string_view::npos) {
      packet.nsp = text.substr(pos);
      return packet;
    }
    packet.nsp = text.substr(pos, comma - pos);
    pos = comma + 1;
  }
  if (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    std::uint64_t id = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      id = id * 10 + static_cast<std::uint64_t>(text[pos] - '0');
      ++pos;
    }
    packet.ack_id = id;
  }
  packet.data = text.substr(pos);
  return packet;
}

void append_sio_packet(std::string& out, SioType type, std::string_view nsp, std::uint64_t ack_id,
                       std::string_view data) {
  out.push_back(static_cast<char>(EioType::message));
  out.push_back(static_cast<char>(type));
  if (!nsp.empty() && nsp != "/") {
    out.append(nsp);
    out.push_back(',');
  }
  if (ack_id != 0) out.append(std::to_string(ack_id));
  out.append(data);
}

}  // namespace cz::loadgen
