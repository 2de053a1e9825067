// Who is on the other end: the handshake middleware verifies the JWT before the socket is
// connected, and verify_user re-verifies on demand (token refresh, after a reconnect).
#include <spdlog/spdlog.h>

#include "messenger/errors.hpp"
#include "messenger/events.hpp"
#include "messenger/handlers.hpp"
#include "messenger/identity.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/render.hpp"
#include "messenger/reply.hpp"
#include "messenger/token_expiry.hpp"
#include "socketio/socket.hpp"

namespace cz::messenger {
namespace {

// A handshake field: from the CONNECT `auth` payload when it has it, else from the query
// string (where the original's clients put it).
std::optional<std::string> handshake_field(const socketio::Handshake& hs, const char* name) {
  if (hs.auth.IsObject()) {
    auto it = hs.auth.FindMember(name);
    if (it != hs.auth.MemberEnd()) {
      if (it->value.IsString())
        return std::string(it->value.GetString(), it->value.GetStringLength());
      if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
    }
  }
  if (auto q = hs.query_param(name)) return std::string(*q);
  return std::nullopt;
}

Result<Credentials> handshake_credentials(const socketio::Handshake& hs, const Limits& limits) {
  const auto token = handshake_field(hs, "token");
  const auto user_id = handshake_field(hs, "user_id");
  const auto user_role = handshake_field(hs, "user_role");
  auto view = [](const std::optional<std::string>& s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  };
  return check_credentials(view(token), view(user_id), view(user_role), limits);
}

// Checks credentials and the token; the verified identity on success.
Result<Identity> authenticate(const Context& ctx, Result<Credentials> creds) {
  if (!creds) return creds.error();
  auto claims = ctx.jwt.verify_user(creds->token, creds->user_id, role_name(creds->role), now_ms());
  if (!claims) return claims.error();
  Identity identity;
  identity.user_id = std::move(creds->user_id);
  identity.role = creds->role;
  identity.token_expires_ms = token_deadline_ms(claims->exp, ctx.jwt_leeway);
  return identity;
}

socketio::ConnectError refused(const std::string& message, const std::string& reason) {
  std::string data;
  StringSink sink(data);
  JsonWriter w(sink);
  w.StartObject();
  write_field(w, "reason", reason);
  w.EndObject();
  return socketio::ConnectError{message, std::move(data)};
}

socketio::ConnectError unauthorized(const std::string& reason) {
  return refused("unauthorized", reason);
}

void reply_verify(socketio::Socket& socket, const socketio::Ack& ack, const Error* error) {
  std::string json;
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "status");
  w.Bool(error == nullptr);
  if (error) write_field(w, "reason", error->message);
  w.EndObject();
  if (ack) ack(json);
  socket.emit(event::kVerifyUser, std::move(json));
}

void on_verify_user(Context& ctx, socketio::Socket& socket, const socketio::Event& event,
                    const socketio::Ack& ack) {
  Identity* me = identity_of(socket);
  Result<Credentials> creds =
      event.args.IsArray() && !event.args.Empty()
          ? parse_credentials(event.args[0], ctx.limits)
          : Result<Credentials>(make_error(code::kUnauthorized, "credentials missing"));
  auto verified = authenticate(ctx, std::move(creds));
  std::optional<Error> failure;
  if (!verified) {
    failure = verified.error();
  } else if (!me || verified->user_id != me->user_id || verified->role != me->role) {
    // A socket keeps the identity it connected with: its rooms and presence belong to it.
    failure = make_error(code::kForbidden, "a connection cannot change its user");
  }
  if (failure) {
    spdlog::debug("messenger: verify_user failed for socket {}: {}", socket.id(), failure->message);
    reply_verify(socket, ack, &*failure);
    socket.disconnect();
    return;
  }
  socket.join(me->user_id);  // already joined at the handshake; harmless, as in the original
  // The session now lasts as long as this token.
  me->token_expires_ms = verified->token_expires_ms;
  ctx.token_expiry.arm(socket, *me);
  reply_verify(socket, ack, nullptr);
}

}  // namespace

void install_auth(const ContextPtr& ctx) {
  if (!ctx->jwt.configured())
    spdlog::warn("messenger: no --jwt-secret or --jwt-public-key: every connection is refused");

  ctx->ns.use([ctx](socketio::Socket& socket, socketio::Next next) {
    auto identity = authenticate(*ctx, handshake_credentials(socket.handshake(), ctx->limits));
    if (!identity) {
      spdlog::debug("messenger: handshake refused from {}: {}", socket.handshake().address,
                    identity.error().message);
      next(unauthorized(identity.error().message));
      return;
    }
    // The middleware answers at once, so a socket counted here is connected right after and
    // its disconnect uncounts it.
    const std::size_t cap = ctx->rate_limits.max_sockets_per_user;
    if (!ctx->user_sockets.try_add(identity->user_id, cap)) {
      spdlog::info("messenger: {} already has {} sockets, refused another from {}",
                   identity->user_id, cap, socket.handshake().address);
      next(refused("too many connections", "too many connections for this user"));
      return;
    }
    identity->counted_socket = cap > 0;
    socket.data() = std::move(*identity);
    ctx->token_expiry.arm(socket, *identity_of(socket));
    next(std::nullopt);
  });
  ctx->ns.on_disconnect([ctx](socketio::Socket& socket, std::string_view) {
    Identity* me = identity_of(socket);
    if (!me) return;
    ctx->token_expiry.cancel(*me);
    if (me->counted_socket) {
      me->counted_socket = false;
      ctx->user_sockets.remove(me->user_id);
    }
  });

  ctx->ns.on(std::string(event::kVerifyUser),
             [ctx](socketio::Socket& socket, const socketio::Event& event, socketio::Ack ack) {
               on_verify_user(*ctx, socket, event, ack);
             });
}

}  // namespace cz::messenger
