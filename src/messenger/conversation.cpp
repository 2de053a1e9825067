#include "messenger/conversation.hpp"

#include <spdlog/spdlog.h>

#include "messenger/events.hpp"
#include "messenger/render.hpp"
#include "socketio/namespace.hpp"
#include "store/rules.hpp"
#include "util/post_batch.hpp"

namespace cz::messenger {
namespace {

const std::string& other_user(const store::Room& room, store::Role side) {
  return side == store::Role::Buyer ? room.seller : room.buyer;
}

}  // namespace

Broadcast broadcast_over(socketio::Namespace& ns) {
  return [&ns](socketio::BroadcastTarget target, std::string_view event, std::string json,
               socketio::Sent sent) {
    socketio::BroadcastOperator(ns, std::move(target))
        .emit(event, std::move(json), std::move(sent));
  };
}

Conversations::Conversations(store::Store& store, std::vector<boost::asio::any_io_executor> shards,
                             Broadcast broadcast)
    : store_(store), shards_(std::move(shards)), broadcast_(std::move(broadcast)) {}

const boost::asio::any_io_executor& Conversations::home_shard(std::string_view room_id) const {
  return shards_[std::hash<std::string_view>{}(room_id) % shards_.size()];
}

// A store callback that continues on the home shard of `room_id`: `announce(value, done)` for a
// success (it decides whether `done` goes before or after its broadcast), `done(error)` else.
template <typename T, typename Done, typename Announce>
store::Callback<T> Conversations::on_home_shard(std::string_view room_id, Done done,
                                                Announce announce) {
  const auto& executor = home_shard(room_id);
  // `self` keeps this object (which `announce` uses) alive while the completion is pending.
  return [self = shared_from_this(), executor, done = std::move(done),
          announce = std::move(announce)](Result<T> r) mutable {
    util::post_to(executor, [self = std::move(self), done = std::move(done),
                             announce = std::move(announce), r = std::move(r)]() mutable {
      if (!r) return done(r.error());
      announce(std::move(*r), done);
    });
  };
}

void Conversations::send_message(store::NewMessage msg, store::Callback<SentMessage> done) {
  // Stored from the room's home shard: the SQLite store draws the message's id and may answer
  // right there (inline appends, store.hpp), so that the home shard meets a room's messages in
  // id order whichever shards they were sent from. Without the hop two shards' messages could
  // reach it in the other order. With one I/O thread it is the same shard: no hop.
  const auto& home = home_shard(msg.room_id);
  util::run_on(home,
               [self = shared_from_this(), msg = std::move(msg), done = std::move(done)]() mutable {
                 self->store_message(std::move(msg), std::move(done));
               });
}

void Conversations::store_message(store::NewMessage msg, store::Callback<SentMessage> done) {
  const std::string room_id = msg.room_id;
  store_.insert_message(
      std::move(msg),
      on_home_shard<store::InsertMessageResult>(
          room_id, std::move(done), [this](store::InsertMessageResult r, auto& done) {
            auto sent =
                std::make_shared<SentMessage>(SentMessage{std::move(r.message), r.duplicate, {}});
            sent->json = render_message(sent->message);
            if (sent->duplicate) {
              if (announced_.contains(sent->message.id)) {
                // Delivered before: acked again, not delivered twice (issue #3).
                spdlog::debug("messenger: duplicate new_message {} from {} acked again",
                              sent->message.id, sent->message.from);
                return done(std::move(*sent));
              }
              spdlog::info(
                  "messenger: retry of new_message {} from {}, not seen delivered by this node: "
                  "delivered again",
                  sent->message.id, sent->message.from);
            }
            // The ack waits for the broadcast to leave this node (issue #11): a node that dies
            // between the commit and Redis's answer has acked nothing, and the retry lands here.
            socketio::BroadcastTarget target{{sent->message.from, sent->message.to}, {}};
            std::string json = sent->json;
            broadcast_(std::move(target), event::kNewMessage, std::move(json),
                       [self = shared_from_this(), sent, done = std::move(done)](bool published) {
                         if (published) self->announced_.add(sent->message.id);
                         done(std::move(*sent));
                       });
          }));
}

void Conversations::mark_seen(std::string room_id, std::string reader, std::string other,
                              std::optional<std::vector<std::string>> ids,
                              std::optional<std::string> asking_socket,
                              store::Callback<std::vector<std::string>> done) {
  auto announce = [this, room_id, reader, other, asking_socket = std::move(asking_socket)](
                      std::vector<std::string> marked, auto& done) mutable {
    std::string json =
        marked.empty() ? std::string() : render_seen_event(room_id, reader, other, marked);
    done(std::move(marked));
    if (json.empty()) return;
    socketio::BroadcastTarget target{{std::move(reader), std::move(other)}, {}};
    if (asking_socket) target.except_rooms.push_back(std::move(*asking_socket));
    broadcast_(std::move(target), event::kSeenMessages, std::move(json), {});
  };
  auto then =
      on_home_shard<std::vector<std::string>>(room_id, std::move(done), std::move(announce));
  store_.mark_seen(std::move(room_id), std::move(reader), std::move(ids), std::move(then));
}

void Conversations::create_room(store::CreateRoom req,
                                store::Callback<store::CreateRoomResult> done) {
  const std::string room_id = store::room_id_of(req.buyer, req.seller);
  auto announce = [this](store::CreateRoomResult r, auto& done) {
    const std::string buyer = r.room.buyer, seller = r.room.seller;
    std::string json = render_room(r.room);
    done(std::move(r));
    broadcast_({{buyer, seller}, {}}, event::kCreateRoom, std::move(json), {});
  };
  store_.create_room(std::move(req), on_home_shard<store::CreateRoomResult>(
                                         room_id, std::move(done), std::move(announce)));
}

void Conversations::edit_message(std::string message_id, std::string editor, std::string content,
                                 store::Callback<store::Message> done) {
  auto announce = [this](store::Message m, auto& done) {
    std::string json = render_message(m);
    std::vector<std::string> users{m.from, m.to};
    done(std::move(m));
    broadcast_({std::move(users), {}}, event::kMessageUpdated, std::move(json), {});
  };
  // The room is known only from the stored message: the completion picks its home shard then.
  store_.update_message_content(std::move(message_id), std::move(editor), std::move(content),
                                [self = shared_from_this(), done = std::move(done),
                                 announce = std::move(announce)](Result<store::Message> r) mutable {
                                  const std::string room_id = r ? r->room_id : std::string();
                                  self->on_home_shard<store::Message>(
                                      room_id, std::move(done), std::move(announce))(std::move(r));
                                });
}

// room_deleted / room_enabled to the other user, after `done`.
auto Conversations::announce_side(store::Role side, bool deleted) {
  return [this, side, deleted](store::Room room, auto& done) {
    const std::optional<TimeMs>& deleted_at =
        side == store::Role::Buyer ? room.buyer_deleted_at : room.seller_deleted_at;
    const TimeMs at = deleted ? deleted_at.value_or(room.updated_at) : room.updated_at;
    std::string json = render_room_side_event(room, side, deleted, at);
    std::string other = other_user(room, side);
    done(std::move(room));
    broadcast_({{std::move(other)}, {}}, deleted ? event::kRoomDeleted : event::kRoomEnabled,
               std::move(json), {});
  };
}

void Conversations::delete_room_side(std::string room_id, store::Role side,
                                     store::Callback<store::Room> done) {
  auto then = on_home_shard<store::Room>(room_id, std::move(done), announce_side(side, true));
  store_.delete_room_side(std::move(room_id), side, std::move(then));
}

void Conversations::enable_room_side(std::string room_id, store::Role side,
                                     store::Callback<store::Room> done) {
  auto then = on_home_shard<store::Room>(room_id, std::move(done), announce_side(side, false));
  store_.enable_room(std::move(room_id), side, std::move(then));
}

}  // namespace cz::messenger
