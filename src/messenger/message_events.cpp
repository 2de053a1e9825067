// The conversation itself: new_message, typing/stop_typing and seen_messages.
//
// Every event is checked against the socket's verified identity (never the client's `from`)
// and the room's participants (RoomDirectory, cached per shard) before anything is stored or
// forwarded.
#include "messenger/errors.hpp"
#include "messenger/events.hpp"
#include "messenger/handlers.hpp"
#include "messenger/identity.hpp"
#include "messenger/metrics.hpp"
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

using event::kNewMessage;

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
                      ctx->conversations->send_message(
                          std::move(*msg), [self, ack = std::move(ack)](Result<SentMessage> r) {
                            if (!r)
                              return refuse(*self, kNewMessage, ack,
                                            client_error_from_store(r.error()));
                            if (!r->duplicate) messenger_metrics().stored(Api::Socket).inc();
                            if (ack) ack(std::move(r->json));
                          });
                    });
}

// --- typing / stop_typing ------------------------------------------------------------------

// Forwarded to `to` only; never stored.
void on_typing(const ContextPtr& ctx, std::string_view name, Socket& socket, const Event& event,
               Ack ack) {
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, name, ack, obj.error());
  auto parsed = parse_typing(**obj, ctx->limits);
  if (!parsed) return refuse(socket, name, ack, parsed.error());
  auto t = std::make_shared<Typing>(std::move(*parsed));
  with_conversation(ctx, socket, name, ack, t->room_id, t->from, t->to, [ctx, name, t, ack] {
    ctx->ns.to(t->to).emit(name, render_typing(t->room_id, t->from, t->to));
    if (ack) ack(R"({"status":true})");
  });
}

// --- seen_messages -------------------------------------------------------------------------

using event::kSeenMessages;

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
        ctx->conversations->mark_seen(
            s->room_id, s->from, s->to, std::move(s->message_ids), self->id(),
            [self, ack = std::move(ack)](Result<std::vector<std::string>> r) {
              if (!r) return refuse(*self, kSeenMessages, ack, client_error_from_store(r.error()));
              if (ack) ack(render_seen_ack(*r));
            });
      });
}

}  // namespace

void install_message_events(const ContextPtr& ctx) {
  ctx->ns.on(std::string(kNewMessage), [ctx](Socket& socket, const Event& event, Ack ack) {
    on_new_message(ctx, socket, event, std::move(ack));
  });
  for (std::string_view name : {event::kTyping, event::kStopTyping}) {
    ctx->ns.on(std::string(name), [ctx, name](Socket& socket, const Event& event, Ack ack) {
      on_typing(ctx, name, socket, event, std::move(ack));
    });
  }
  ctx->ns.on(std::string(kSeenMessages), [ctx](Socket& socket, const Event& event, Ack ack) {
    on_seen_messages(ctx, socket, event, std::move(ack));
  });
}

}  // namespace cz::messenger
