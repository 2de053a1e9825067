// The conversation itself: new_message, typing/stop_typing and seen_messages.
//
// Every event is checked against the socket's verified identity (never the client's `from`)
// and the room's participants (RoomDirectory, cached per shard) before anything is stored or
// forwarded.
#include <spdlog/spdlog.h>

#include "messenger/errors.hpp"
#include "messenger/handlers.hpp"
#include "messenger/identity.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/render.hpp"
#include "messenger/reply.hpp"
#include "socketio/socket.hpp"

namespace cz::messenger {
namespace {

using socketio::Ack;
using socketio::Event;
using socketio::Socket;

const Error kNotAuthenticated{code::kUnauthorized, "not authenticated"};

// Runs `then` on the socket's shard once the room is known and `from`/`to` are its two
// participants with `from` the caller; refuses `event` otherwise.
template <typename Then>
void with_conversation(const ContextPtr& ctx, Socket& socket, std::string_view event,
                       const Ack& ack, const std::string& room_id, const std::string& from,
                       const std::string& to, Then then) {
  const Identity* me = identity_of(socket);
  if (!me) return refuse(socket, event, ack, kNotAuthenticated);
  // Cheap checks first, so that a forged `from` never costs a store lookup.
  if (from != me->user_id)
    return refuse(socket, event, ack,
                  make_error(code::kForbidden, "from must be the authenticated user"));
  ctx->rooms.find(
      socket.shard(), room_id,
      // `from` and `to` live in the request that `then` owns, as long as it does.
      [event, ack, &from, &to, then = std::move(then), self = socket.shared_from_this()](
          const Participants* room, const Error* error) mutable {
        if (error) return refuse(*self, event, ack, *error);
        if (auto denied = check_conversation(*room, from, from, to))
          return refuse(*self, event, ack, *denied);
        then();
      });
}

// --- new_message ---------------------------------------------------------------------------

constexpr std::string_view kNewMessage = "new_message";

// Store first; then one broadcast to both users' rooms (every tab of both, the sender's
// included) and the ack. A retry (same from + client_message_id) is acked with the stored
// message and not delivered again.
void store_and_deliver(const ContextPtr& ctx, const std::shared_ptr<Socket>& socket,
                       store::NewMessage msg, Ack ack) {
  const std::string room_id = msg.room_id;
  ctx->store.insert_message(
      std::move(msg),
      on_executor<store::InsertMessageResult>(
          ctx->home_shard(room_id),
          [ctx, socket, ack = std::move(ack)](Result<store::InsertMessageResult> r) {
            if (!r) return refuse(*socket, kNewMessage, ack, client_error_from_store(r.error()));
            const store::Message& m = r->message;
            std::string json = render_message(m);
            if (r->duplicate) {
              // Not delivered twice (issue #3). A message committed by a node that died before
              // broadcasting it reaches its receiver through `sync`, not live.
              spdlog::debug("messenger: duplicate new_message {} from {} acked again", m.id,
                            m.from);
              if (ack) ack(std::move(json));
              return;
            }
            // Broadcast before the ack: the fan-out (to Redis in a cluster) is queued before
            // the sender can learn that the message is safe.
            ctx->ns.to(m.from).to(m.to).emit(kNewMessage, json);
            if (ack) ack(std::move(json));
          }));
}

void on_new_message(const ContextPtr& ctx, Socket& socket, const Event& event, Ack ack) {
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, kNewMessage, ack, obj.error());
  auto parsed = parse_new_message(**obj, ctx->limits);
  if (!parsed) return refuse(socket, kNewMessage, ack, parsed.error());

  // The message is owned by the continuation; the checks read its fields in place.
  auto msg = std::make_shared<store::NewMessage>(std::move(*parsed));
  auto self = socket.shared_from_this();
  with_conversation(ctx, socket, kNewMessage, ack, msg->room_id, msg->from, msg->to,
                    [ctx, self, msg, ack]() mutable {
                      store_and_deliver(ctx, self, std::move(*msg), std::move(ack));
                    });
}

// --- typing / stop_typing ------------------------------------------------------------------

std::string render_typing(const Typing& t) {
  std::string json;
  json.reserve(t.room_id.size() + t.from.size() + t.to.size() + 40);
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  write_field(w, "room_id", t.room_id);
  write_field(w, "from", t.from);
  write_field(w, "to", t.to);
  w.EndObject();
  return json;
}

// Forwarded to `to` only; never stored.
void on_typing(const ContextPtr& ctx, std::string_view name, Socket& socket, const Event& event,
               Ack ack) {
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, name, ack, obj.error());
  auto parsed = parse_typing(**obj, ctx->limits);
  if (!parsed) return refuse(socket, name, ack, parsed.error());
  auto t = std::make_shared<Typing>(std::move(*parsed));
  with_conversation(ctx, socket, name, ack, t->room_id, t->from, t->to, [ctx, name, t, ack] {
    ctx->ns.to(t->to).emit(name, render_typing(*t));
    if (ack) ack(R"({"status":true})");
  });
}

// --- seen_messages -------------------------------------------------------------------------

constexpr std::string_view kSeenMessages = "seen_messages";

// {room_id, from, to, message_ids} (the ids actually marked) / {status, message_ids}
std::string render_seen(const SeenMessages& s, const std::vector<std::string>& ids,
                        bool with_status) {
  std::string json;
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  if (with_status) {
    write_key(w, "status");
    w.Bool(true);
  } else {
    write_field(w, "room_id", s.room_id);
    write_field(w, "from", s.from);
    write_field(w, "to", s.to);
  }
  write_key(w, "message_ids");
  w.StartArray();
  for (const auto& id : ids) write_string(w, id);
  w.EndArray();
  w.EndObject();
  return json;
}

// Marks the messages (only those addressed to the caller in that room), resets the caller's
// unseen counter, and tells the other participant which messages were read, and the caller's
// other tabs too (so that every tab of the reader clears its badge): one broadcast to both
// users' rooms except the calling socket, which has the ack.
void on_seen_messages(const ContextPtr& ctx, Socket& socket, const Event& event, Ack ack) {
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, kSeenMessages, ack, obj.error());
  auto parsed = parse_seen_messages(**obj, ctx->limits);
  if (!parsed) return refuse(socket, kSeenMessages, ack, parsed.error());
  auto s = std::make_shared<SeenMessages>(std::move(*parsed));
  auto self = socket.shared_from_this();
  with_conversation(
      ctx, socket, kSeenMessages, ack, s->room_id, s->from, s->to, [ctx, self, s, ack]() mutable {
        ctx->store.mark_seen(
            s->room_id, s->from, s->message_ids,
            on_executor<std::vector<std::string>>(
                self->executor(),
                [ctx, self, s, ack = std::move(ack)](Result<std::vector<std::string>> r) {
                  if (!r)
                    return refuse(*self, kSeenMessages, ack, client_error_from_store(r.error()));
                  if (ack) ack(render_seen(*s, *r, true));
                  if (!r->empty())
                    self->to(s->from).to(s->to).emit(kSeenMessages, render_seen(*s, *r, false));
                }));
      });
}

}  // namespace

void install_message_events(const ContextPtr& ctx) {
  ctx->ns.on(std::string(kNewMessage), [ctx](Socket& socket, const Event& event, Ack ack) {
    on_new_message(ctx, socket, event, std::move(ack));
  });
  for (std::string_view name : {std::string_view("typing"), std::string_view("stop_typing")}) {
    ctx->ns.on(std::string(name), [ctx, name](Socket& socket, const Event& event, Ack ack) {
      on_typing(ctx, name, socket, event, std::move(ack));
    });
  }
  ctx->ns.on(std::string(kSeenMessages), [ctx](Socket& socket, const Event& event, Ack ack) {
    on_seen_messages(ctx, socket, event, std::move(ack));
  });
}

}  // namespace cz::messenger
