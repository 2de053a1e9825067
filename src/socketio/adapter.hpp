#pragma once
// Which sockets are in which rooms, and delivery of broadcasts to them.
//
// Room membership is sharded: each I/O thread keeps the rooms of the sockets it owns, so joins,
// leaves and local deliveries touch only thread-local state. A broadcast is encoded once and
// posted to every shard, which delivers the same bytes to its matching sockets.
//
// A cluster adapter (Redis, in cluster/) derives from LocalAdapter: it publishes each broadcast
// for the other nodes and calls deliver_local() for broadcasts that arrive from them.
#include <memory>
#include <string>

#include "socketio/api.hpp"

namespace cz::socketio {

// A broadcast as the adapter sees it: the event and its arguments (so that a cluster adapter can
// re-encode it for the wire of another node) and the packet encoded once for local delivery.
struct BroadcastPacket {
  std::string nsp;
  std::string event;
  Payload payload;
  std::vector<SharedBuffer> encoded;  // Engine.IO packets: the text packet, then any attachments
};

// Builds a broadcast packet: encodes `42/nsp,["event",<json_args>]` (or a BINARY_EVENT followed
// by the attachments) once. Also what a cluster adapter calls for a broadcast from another node.
std::shared_ptr<const BroadcastPacket> make_broadcast_packet(std::string nsp,
                                                             std::string_view event,
                                                             Payload payload);

class Adapter {
 public:
  virtual ~Adapter() = default;
  // Membership; called on the socket's shard thread.
  virtual void add(Socket& socket, const std::string& room) = 0;
  virtual void remove(Socket& socket, const std::string& room) = 0;
  virtual void remove_all(Socket& socket) = 0;
  // Thread-safe. Calls `sent` (when set) once the packet has left this process (api.hpp, Sent).
  virtual void broadcast(std::shared_ptr<const BroadcastPacket> packet,
                         const BroadcastTarget& target, Sent sent) = 0;
};

}  // namespace cz::socketio
