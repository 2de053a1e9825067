// create_room: opens (or reopens) the conversation between a buyer and a seller.
#include "messenger/errors.hpp"
#include "messenger/events.hpp"
#include "messenger/handlers.hpp"
#include "messenger/identity.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/render.hpp"
#include "messenger/reply.hpp"
#include "socketio/socket.hpp"

namespace cz::messenger {
namespace {

using event::kCreateRoom;

// {status: true, outcome, message, room}
std::string render_ack(const store::CreateRoomResult& result, const std::string& room_json) {
  std::string json;
  json.reserve(room_json.size() + 96);
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "status");
  w.Bool(true);
  write_field(w, "outcome", create_outcome_name(result.outcome));
  write_field(w, "message", create_outcome_message(result.outcome));
  write_key(w, "room");
  w.RawValue(room_json.data(), room_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return json;
}

// The ack first, then create_room to both users' tabs (Conversations::create_room). The room is
// remembered on the socket's shard, where its next message will look it up.
void store_room(const ContextPtr& ctx, std::shared_ptr<socketio::Socket> self,
                store::CreateRoom req, socketio::Ack ack) {
  ctx->conversations->create_room(
      std::move(req), [ctx, self, ack = std::move(ack)](Result<store::CreateRoomResult> r) {
        if (!r) return refuse(*self, kCreateRoom, ack, client_error_from_store(r.error()));
        const store::Room& room = r->room;
        util::post_to(self->executor(), [ctx, self, id = room.id,
                                         participants = Participants{room.buyer, room.seller}] {
          ctx->rooms.remember(self->shard(), id, participants);
        });
        if (ack) ack(render_ack(*r, render_room(room)));
      });
}

void on_create_room(const ContextPtr& ctx, socketio::Socket& socket, const socketio::Event& event,
                    socketio::Ack ack) {
  const Identity* me = identity_of(socket);
  if (!me)
    return refuse(socket, kCreateRoom, ack, make_error(code::kUnauthorized, "not authenticated"));
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, kCreateRoom, ack, obj.error());
  auto req = parse_create_room(**obj, ctx->limits);
  if (!req) return refuse(socket, kCreateRoom, ack, req.error());
  if (auto denied = check_create_room(*req, me->user_id))
    return refuse(socket, kCreateRoom, ack, *denied);
  if (req->creator.empty()) req->creator = me->user_id;

  auto self = socket.shared_from_this();
  if (!ctx->room_details) return store_room(ctx, std::move(self), std::move(*req), std::move(ack));
  auto room = std::make_shared<store::CreateRoom>(std::move(*req));
  ctx->room_details(room, socket.executor(), [ctx, self, room, ack = std::move(ack)]() mutable {
    store_room(ctx, std::move(self), std::move(*room), std::move(ack));
  });
}

}  // namespace

void install_room_events(const ContextPtr& ctx) {
  ctx->ns.on(std::string(kCreateRoom),
             [ctx](socketio::Socket& socket, const socketio::Event& event, socketio::Ack ack) {
               on_create_room(ctx, socket, event, std::move(ack));
             });
}

}  // namespace cz::messenger
