// create_room: opens (or reopens) the conversation between a buyer and a seller.
#include "messenger/errors.hpp"
#include "messenger/handlers.hpp"
#include "messenger/identity.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/render.hpp"
#include "messenger/reply.hpp"
#include "socketio/socket.hpp"

namespace cz::messenger {
namespace {

constexpr std::string_view kEvent = "create_room";

struct OutcomeText {
  std::string_view outcome;
  std::string_view message;  // the original service's wording
};

OutcomeText describe(store::CreateOutcome outcome) {
  switch (outcome) {
    case store::CreateOutcome::Created:
      return {"created", "Created room successfully!"};
    case store::CreateOutcome::Existed:
      return {"existed", "Room exists!"};
    case store::CreateOutcome::Reenabled:
      return {"reenabled", "Room exists and re-enable room for seller and buyer"};
  }
  return {"existed", "Room exists!"};
}

// {status: true, outcome, message, room}
std::string render_ack(const store::CreateRoomResult& result, const std::string& room_json) {
  const auto text = describe(result.outcome);
  std::string json;
  json.reserve(room_json.size() + 96);
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "status");
  w.Bool(true);
  write_field(w, "outcome", text.outcome);
  write_field(w, "message", text.message);
  write_key(w, "room");
  w.RawValue(room_json.data(), room_json.size(), rapidjson::kObjectType);
  w.EndObject();
  return json;
}

void store_room(const ContextPtr& ctx, std::shared_ptr<socketio::Socket> self,
                store::CreateRoom req, socketio::Ack ack) {
  auto executor = self->executor();
  ctx->store.create_room(
      std::move(req),
      on_executor<store::CreateRoomResult>(
          executor, [ctx, self, ack = std::move(ack)](Result<store::CreateRoomResult> r) {
            if (!r) return refuse(*self, kEvent, ack, client_error_from_store(r.error()));
            const store::Room& room = r->room;
            ctx->rooms.remember(self->shard(), room.id, Participants{room.buyer, room.seller});
            std::string room_json = render_room(room);
            if (ack) ack(render_ack(*r, room_json));
            ctx->ns.to(room.buyer).to(room.seller).emit(kEvent, std::move(room_json));
          }));
}

void on_create_room(const ContextPtr& ctx, socketio::Socket& socket, const socketio::Event& event,
                    socketio::Ack ack) {
  const Identity* me = identity_of(socket);
  if (!me) return refuse(socket, kEvent, ack, make_error(code::kUnauthorized, "not authenticated"));
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, kEvent, ack, obj.error());
  auto req = parse_create_room(**obj, ctx->limits);
  if (!req) return refuse(socket, kEvent, ack, req.error());
  if (auto denied = check_create_room(*req, me->user_id))
    return refuse(socket, kEvent, ack, *denied);
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
  ctx->ns.on(std::string(kEvent),
             [ctx](socketio::Socket& socket, const socketio::Event& event, socketio::Ack ack) {
               on_create_room(ctx, socket, event, std::move(ack));
             });
}

}  // namespace cz::messenger
