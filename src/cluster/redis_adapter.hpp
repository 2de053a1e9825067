#pragma once
// The Socket.IO adapter of a cluster: delivers each broadcast on this node (LocalAdapter) and
// publishes it on Redis in the format of @socket.io/redis-adapter v8; delivers the broadcasts
// of other nodes (ours or Node socket.io ones) that arrive from Redis.
//
// Supported: broadcasts to the namespace, to rooms, with except rooms (what Namespace::emit,
// to(), except() and Socket::to() produce). Not supported: fetchSockets, serverSideEmit,
// socketsJoin/Leave, disconnectSockets across nodes (requests on the request channel are
// ignored), broadcasts with acks.
#include <memory>
#include <string>

#include "socketio/local_adapter.hpp"

namespace cz::cluster {

class RedisBus;

class RedisAdapter final : public socketio::LocalAdapter {
 public:
  RedisAdapter(socketio::Namespace& nsp, std::shared_ptr<RedisBus> bus);
  ~RedisAdapter() override;

  // Delivers locally and publishes; `sent` runs (on the Redis shard) when Redis has answered
  // the PUBLISH, or with false when it did not (RedisBus::publish).
  void broadcast(std::shared_ptr<const socketio::BroadcastPacket> packet,
                 const socketio::BroadcastTarget& target, socketio::Sent sent) override;

  // A message from the namespace's Redis channel; runs on the Redis shard.
  void on_message(std::string_view message);

 private:
  std::shared_ptr<RedisBus> bus_;
  std::string pattern_;
};

}  // namespace cz::cluster
