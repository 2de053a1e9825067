#include "socketio/adapter.hpp"

#include "socketio/packet.hpp"

namespace cz::socketio {

std::shared_ptr<const BroadcastPacket> make_broadcast_packet(std::string nsp,
                                                             std::string_view event,
                                                             Payload payload) {
  auto packet = std::make_shared<BroadcastPacket>();
  packet->encoded.reserve(1 + payload.attachments.size());
  packet->encoded.push_back(
      make_buffer(encode_event(nsp, event, payload.json_args, payload.attachments.size())));
  packet->encoded.insert(packet->encoded.end(), payload.attachments.begin(),
                         payload.attachments.end());
  packet->nsp = std::move(nsp);
  packet->event = std::string(event);
  packet->payload = std::move(payload);
  return packet;
}

}  // namespace cz::socketio
