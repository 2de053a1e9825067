#pragma once
// The broadcast message of @socket.io/redis-adapter v8, so that our nodes and Node socket.io
// nodes using that adapter can share one Redis:
//   channel  `socket.io#<nsp>#` (or `socket.io#<nsp>#<room>#` when the broadcast targets exactly
//            one room)
//   message  msgpack [uid, {type: 2, data: [event, ...args], nsp}, {rooms, except, flags: {}}]
// JSON arguments become msgpack values; binary attachments (placeholders in our JSON) become
// msgpack bin, as Node's notepack encodes a Buffer. Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "socketio/adapter.hpp"

namespace cz::cluster {

inline constexpr std::string_view kChannelPrefix = "socket.io";

// `socket.io#<nsp>#`
std::string namespace_channel(std::string_view nsp);
// The channel a broadcast is published on.
std::string broadcast_channel(std::string_view nsp, const socketio::BroadcastTarget& target);

// Encodes the message; nullopt when json_args is not valid JSON.
std::optional<std::string> encode_broadcast(std::string_view uid,
                                            const socketio::BroadcastPacket& packet,
                                            const socketio::BroadcastTarget& target);

struct DecodedBroadcast {
  std::string uid;
  std::string nsp;
  std::string event;
  socketio::Payload payload;  // JSON args, bin values turned into placeholders + attachments
  socketio::BroadcastTarget target;
  bool local_only = false;  // flags.local: the sender meant it for its own node only
};

// Decodes a message; nullopt (never a crash) when it is malformed or not an event broadcast.
std::optional<DecodedBroadcast> decode_broadcast(std::string_view message);

// JSON argument list (`a,b,c` without brackets) to a msgpack array with `prefix` first
// (the event name); exposed for tests.
bool json_args_to_msgpack(std::string_view json_args, std::string_view event,
                          const std::vector<SharedBuffer>& attachments, std::string& out);

}  // namespace cz::cluster
