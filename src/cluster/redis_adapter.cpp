#include "cluster/redis_adapter.hpp"

#include <spdlog/spdlog.h>

#include "cluster/broadcast_message.hpp"
#include "cluster/redis_bus.hpp"
#include "socketio/namespace.hpp"

namespace cz::cluster {

RedisAdapter::RedisAdapter(socketio::Namespace& nsp, std::shared_ptr<RedisBus> bus)
    : LocalAdapter(nsp), bus_(std::move(bus)), pattern_(namespace_channel(nsp.name()) + "*") {
  bus_->psubscribe(pattern_,
                   [this](std::string_view, std::string_view message) { on_message(message); });
}

RedisAdapter::~RedisAdapter() {
  bus_->punsubscribe(pattern_);
}

void RedisAdapter::broadcast(std::shared_ptr<const socketio::BroadcastPacket> packet,
                             const socketio::BroadcastTarget& target, socketio::Sent sent) {
  auto message = encode_broadcast(bus_->uid(), *packet, target);
  std::string channel = broadcast_channel(packet->nsp, target);
  deliver_local(std::move(packet), target);
  if (!message) {
    spdlog::warn("redis adapter: broadcast with invalid JSON arguments not published");
    if (sent) sent(false);
    return;
  }
  bus_->publish(std::move(channel), std::move(*message), std::move(sent));
}

void RedisAdapter::on_message(std::string_view message) {
  auto decoded = decode_broadcast(message);
  if (!decoded) {
    spdlog::debug("redis adapter {}: ignored a message that is not an event broadcast",
                  nsp().name());
    return;
  }
  if (decoded->uid == bus_->uid() || decoded->local_only || decoded->nsp != nsp().name()) return;
  auto packet = socketio::make_broadcast_packet(std::move(decoded->nsp), decoded->event,
                                                std::move(decoded->payload));
  deliver_local(std::move(packet), decoded->target);
}

}  // namespace cz::cluster
