// sync: what the caller missed. Clients call it after (re)connecting with the id (or time) of
// the last message they hold and page until has_more is false.
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

using event::kSync;

// {messages: [...oldest first], has_more, next_since (the id to pass as `since` next; absent
// when there is nothing)}
std::string render_sync(const std::vector<store::Message>& messages, std::size_t limit) {
  const bool has_more = messages.size() > limit;
  const std::size_t count = has_more ? limit : messages.size();
  std::string json;
  json.reserve(64 + count * 256);
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "messages");
  w.StartArray();
  for (std::size_t i = 0; i < count; ++i) write_message(w, messages[i]);
  w.EndArray();
  write_key(w, "has_more");
  w.Bool(has_more);
  if (count > 0) write_field(w, "next_since", messages[count - 1].id);
  w.EndObject();
  return json;
}

void on_sync(const ContextPtr& ctx, socketio::Socket& socket, const socketio::Event& event,
             socketio::Ack ack) {
  const Identity* me = identity_of(socket);
  if (!me) return refuse(socket, kSync, ack, make_error(code::kUnauthorized, "not authenticated"));
  static const rapidjson::Value kAbsent;
  const rapidjson::Value& payload =
      event.args.IsArray() && !event.args.Empty() ? event.args[0] : kAbsent;
  auto query = parse_sync(payload, ctx->limits);
  if (!query) return refuse(socket, kSync, ack, query.error());
  query->user_id = me->user_id;
  const std::size_t limit = query->limit;
  query->limit = limit + 1;  // one more than asked tells whether there is a next page

  auto self = socket.shared_from_this();
  ctx->store.sync_messages(
      std::move(*query),
      on_executor<std::vector<store::Message>>(
          socket.executor(),
          [self, limit, ack = std::move(ack)](Result<std::vector<store::Message>> r) {
            if (!r) return refuse(*self, kSync, ack, client_error_from_store(r.error()));
            std::string json = render_sync(*r, limit);
            // Without an ack the answer comes back as a `sync` event.
            if (ack)
              ack(std::move(json));
            else
              self->emit(kSync, std::move(json));
          }));
}

}  // namespace

void install_sync_events(const ContextPtr& ctx) {
  ctx->ns.on(std::string(kSync),
             [ctx](socketio::Socket& socket, const socketio::Event& event, socketio::Ack ack) {
               on_sync(ctx, socket, event, std::move(ack));
             });
}

}  // namespace cz::messenger
