#pragma once
// Each action on a conversation, written once for the socket handlers and the REST routes:
//
//   (caller's checks) -> store -> the room's home shard -> broadcast + `done`
//
// The callers parse the payload and check who is asking and on which side of the room (sockets
// and REST prove identity differently); everything after that is here, so that a message sent
// over REST and one sent over a socket are stored, ordered and announced the same way. The
// broadcast runs on the room's home shard (see home_shard()), so one room's announcements leave
// in commit order whichever path caused them (a new message is also stored from there); so does
// `done`, except send_message's in a cluster (it waits for Redis's answer, on the Redis shard).
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/announced_ids.hpp"
#include "socketio/api.hpp"
#include "store/store.hpp"

namespace cz::messenger {

// Sends `event` with `json` (one serialized argument) to the Socket.IO rooms of `target`, then
// calls `sent` (when set) once it has left this node (socketio::Sent). The server's is
// broadcast_over(); unit tests record instead.
using Broadcast = std::function<void(socketio::BroadcastTarget target, std::string_view event,
                                     std::string json, socketio::Sent sent)>;

Broadcast broadcast_over(socketio::Namespace& ns);

// Shared (std::make_shared): completions in flight keep it alive.
// A stored message and its JSON, rendered once: the broadcast, the socket's ack and the REST
// reply carry the same bytes.
struct SentMessage {
  store::Message message;
  bool duplicate = false;  // a retry: stored before
  std::string json;        // render_message(message)
};

class Conversations : public std::enable_shared_from_this<Conversations> {
 public:
  Conversations(store::Store& store, std::vector<boost::asio::any_io_executor> shards,
                Broadcast broadcast);

  // Stores the message, broadcasts `new_message` to every tab of both participants and calls
  // `done` once the broadcast has left this node (in a cluster: once Redis has answered the
  // PUBLISH, or after --redis-publish-timeout), so that an acked message has reached every node
  // that was up. A retry (same sender and client_message_id) gets the stored message; it is
  // delivered again only when this node has not seen its first broadcast confirmed
  // (announced_ids.hpp). `done` runs on the home shard, or on the Redis shard in a cluster.
  void send_message(store::NewMessage msg, store::Callback<SentMessage> done);

  // Marks `ids` (all when nullopt) read by `reader`; `done` gets the ids actually marked, then,
  // when there are some, `seen_messages` goes to both participants (the other one learns what was
  // read, the reader's other tabs clear their badges) except `asking_socket`, which has `done`.
  void mark_seen(std::string room_id, std::string reader, std::string other,
                 std::optional<std::vector<std::string>> ids,
                 std::optional<std::string> asking_socket,
                 store::Callback<std::vector<std::string>> done);

  // Creates (or reopens) the room; `done` first, then `create_room` with the room to both users
  // (also when it existed: the original service announces every create_room).
  void create_room(store::CreateRoom req, store::Callback<store::CreateRoomResult> done);

  // The sender's edit (the store refuses anyone else); `done`, then `message_updated` to both.
  void edit_message(std::string message_id, std::string editor, std::string content,
                    store::Callback<store::Message> done);

  // One side leaves / comes back; `done`, then `room_deleted` / `room_enabled` to the other user.
  void delete_room_side(std::string room_id, store::Role side, store::Callback<store::Room> done);
  void enable_room_side(std::string room_id, store::Role side, store::Callback<store::Room> done);

  // The shard that runs a room's completions and broadcasts. Store completions arrive in commit
  // order on the store's thread; posting every completion of a room to one shard keeps that
  // order all the way to each recipient (FIFO from one thread to each shard), even when the two
  // participants send from different shards.
  const boost::asio::any_io_executor& home_shard(std::string_view room_id) const;

 private:
  // send_message's work, on the room's home shard.
  void store_message(store::NewMessage msg, store::Callback<SentMessage> done);
  template <typename T, typename Done, typename Announce>
  store::Callback<T> on_home_shard(std::string_view room_id, Done done, Announce announce);
  auto announce_side(store::Role side, bool deleted);

  store::Store& store_;
  const std::vector<boost::asio::any_io_executor> shards_;
  const Broadcast broadcast_;
  // ~64k ids (1 MiB): a retry comes seconds after the message, well inside this at 10k msg/s.
  AnnouncedIds announced_{65536};
};

}  // namespace cz::messenger
