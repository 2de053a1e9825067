// Presence: a user's sockets join the room named after the user id (the original's naming, so
// that a cluster mixed with the old Node service reaches the same users), and the users who
// share a room with them learn when their first socket arrives and their last one leaves.
#include <spdlog/spdlog.h>

#include <string_view>
#include <unordered_set>

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

using event::kGetUserStatus;
using event::kUserStatus;

void write_status(JsonWriter& w, const UserStatus& s) {
  w.StartObject();
  write_field(w, "user_id", s.user_id);
  write_key(w, "role");
  if (s.role)
    write_string(w, role_name(*s.role));
  else
    w.Null();
  write_key(w, "online");
  w.Bool(s.online);
  write_key(w, "last_seen");
  if (s.last_seen)
    write_string(w, format_iso8601(*s.last_seen));
  else
    w.Null();
  w.EndObject();
}

// Tells the user's partners the user's status. The status is read when the partner list is
// known, not when the change happened: a connect and a disconnect in quick succession may
// finish their lookups in either order, and both then announce the latest state.
void announce(const ContextPtr& ctx, const std::string& user_id,
              const boost::asio::any_io_executor& executor) {
  ctx->store.room_partners(
      user_id,
      on_executor<std::vector<std::string>>(
          executor, [ctx, user_id](Result<std::vector<std::string>> partners) {
            if (!partners) {
              spdlog::warn("messenger: presence of {} not announced: {}", user_id,
                           partners.error().message);
              return;
            }
            if (partners->empty()) return;
            ctx->presence->query(
                {user_id}, now_ms(),
                [ctx, partners = std::move(*partners)](std::vector<UserStatus> status) mutable {
                  if (status.empty()) return;
                  std::string json;
                  StringSink sink(json);
                  JsonWriter w(sink);
                  write_status(w, status.front());
                  socketio::BroadcastTarget target{std::move(partners), {}};
                  socketio::BroadcastOperator(ctx->ns, std::move(target))
                      .emit(kUserStatus, std::move(json));
                });
          }));
}

void on_connection(const ContextPtr& ctx, const std::shared_ptr<socketio::Socket>& socket) {
  Identity* me = identity_of(*socket);
  if (!me) return;  // cannot happen: the middleware lets only verified users through
  socket->join(me->user_id);
  me->counted_online = true;
  ctx->presence->connected(me->user_id, me->role,
                           [ctx, user_id = me->user_id, executor = socket->executor()](bool first) {
                             if (first) announce(ctx, user_id, executor);
                           });
}

void on_disconnect(const ContextPtr& ctx, socketio::Socket& socket) {
  Identity* me = identity_of(socket);
  if (!me || !me->counted_online) return;
  me->counted_online = false;
  ctx->presence->disconnected(
      me->user_id, me->role, now_ms(),
      [ctx, user_id = me->user_id, executor = socket.executor()](bool last) {
        if (last) announce(ctx, user_id, executor);
      });
}

// The ids of `requested` the caller may see: itself and the users it shares a room with (the
// users who get its user_status announcements, and whose announcements it gets).
std::vector<std::string> visible_users(const std::vector<std::string>& requested,
                                       const std::string& me,
                                       const std::vector<std::string>& partners) {
  std::unordered_set<std::string_view> wanted(requested.begin(), requested.end());
  std::unordered_set<std::string_view> seen;
  for (const auto& p : partners)
    if (wanted.contains(p)) seen.insert(p);
  if (wanted.contains(me)) seen.insert(me);
  std::vector<std::string> out;
  for (const auto& id : requested)
    if (seen.contains(id)) out.push_back(id);
  return out;
}

// Answers in the order asked, one entry per requested id; a user the caller shares no room with
// reads as unknown (offline, no role, no last_seen), exactly like a user never seen, so that the
// answer tells a stranger nothing.
void answer_user_status(const std::shared_ptr<socketio::Socket>& socket, const socketio::Ack& ack,
                        const std::vector<std::string>& requested,
                        const std::vector<UserStatus>& known) {
  std::string json;
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "users");
  w.StartArray();
  std::size_t next = 0;  // `known` is a subsequence of `requested`, in the same order
  for (const auto& id : requested) {
    if (next < known.size() && known[next].user_id == id) {
      write_status(w, known[next++]);
    } else {
      UserStatus unknown;
      unknown.user_id = id;
      write_status(w, unknown);
    }
  }
  w.EndArray();
  w.EndObject();
  if (ack)
    ack(std::move(json));
  else
    socket->emit(kGetUserStatus, std::move(json));
}

void on_get_user_status(const ContextPtr& ctx, socketio::Socket& socket,
                        const socketio::Event& event, socketio::Ack ack) {
  Identity* me = identity_of(socket);
  if (!me) return;  // cannot happen: the middleware lets only verified users through
  auto obj = payload_object(event.args);
  if (!obj) return refuse(socket, kGetUserStatus, ack, obj.error());
  auto ids = parse_user_status_request(**obj, ctx->limits);
  if (!ids) return refuse(socket, kGetUserStatus, ack, ids.error());
  ctx->store.room_partners(
      me->user_id,
      on_executor<std::vector<std::string>>(
          socket.executor(),
          [ctx, self = socket.shared_from_this(), me = me->user_id, ids = std::move(*ids),
           ack = std::move(ack)](Result<std::vector<std::string>> partners) mutable {
            if (!partners)
              return refuse(*self, kGetUserStatus, ack, client_error_from_store(partners.error()));
            auto visible = visible_users(ids, me, *partners);
            if (visible.empty()) return answer_user_status(self, ack, ids, {});
            ctx->presence->query(std::move(visible), now_ms(),
                                 [self, ack = std::move(ack),
                                  ids = std::move(ids)](std::vector<UserStatus> statuses) {
                                   answer_user_status(self, ack, ids, statuses);
                                 });
          }));
}

}  // namespace

void install_presence(const ContextPtr& ctx) {
  // Weak: ctx owns the presence, which keeps the listener.
  ctx->presence->on_status_changed(
      [weak = std::weak_ptr<Context>(ctx)](std::vector<std::string> ids) {
        auto ctx = weak.lock();
        if (!ctx) return;
        for (const std::string& id : ids) announce(ctx, id, ctx->home_shard(id));
      });
  ctx->ns.on_connection(
      [ctx](const std::shared_ptr<socketio::Socket>& socket) { on_connection(ctx, socket); });
  ctx->ns.on_disconnect(
      [ctx](socketio::Socket& socket, std::string_view) { on_disconnect(ctx, socket); });
  ctx->ns.on(std::string(kGetUserStatus),
             [ctx](socketio::Socket& socket, const socketio::Event& event, socketio::Ack ack) {
               on_get_user_status(ctx, socket, event, std::move(ack));
             });
}

}  // namespace cz::messenger
