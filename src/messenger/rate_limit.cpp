// The per-socket event rate limit and the answer to events nobody handles, installed as the
// namespace's event filter and unknown-event handler. Malformed packets are counted too
// (malformed_events.cpp): flooding garbage is still flooding.
#include "messenger/rate_limit.hpp"

#include <spdlog/spdlog.h>

#include "messenger/errors.hpp"
#include "messenger/handlers.hpp"
#include "messenger/identity.hpp"
#include "messenger/reply.hpp"

namespace cz::messenger {

EventRateLimiter::Verdict EventRateLimiter::check(const RateLimits& limits, std::uint32_t now_ms) {
  if (events_.take(limits.events, now_ms)) return Verdict::Allow;
  if (limits.max_refused == 0) return Verdict::Refuse;
  const TokenRate patience{limits.events.per_second, static_cast<double>(limits.max_refused)};
  return patience_.take(patience, now_ms) ? Verdict::Refuse : Verdict::Disconnect;
}

bool admit_event(const Context& ctx, socketio::Socket& socket, std::string_view event,
                 const socketio::Ack& ack) {
  Identity* me = identity_of(socket);
  if (!me || ctx.rate_limits.events.unlimited()) return true;
  switch (me->rate.check(ctx.rate_limits, steady_ms32())) {
    case EventRateLimiter::Verdict::Allow:
      return true;
    case EventRateLimiter::Verdict::Refuse:
      refuse(socket, event, ack,
             make_error(code::kRateLimited,
                        "too many events: at most " +
                            std::to_string(static_cast<long>(ctx.rate_limits.events.per_second)) +
                            " per second"));
      return false;
    case EventRateLimiter::Verdict::Disconnect:
      spdlog::info("messenger: socket {} of {} kept sending over its event rate, disconnected",
                   socket.id(), me->user_id);
      refuse(socket, event, ack, make_error(code::kRateLimited, "too many events: disconnected"));
      socket.disconnect(true);
      return false;
  }
  return false;
}

void install_rate_limit(const ContextPtr& ctx) {
  ctx->ns.use_event_filter(
      [ctx](socketio::Socket& socket, const socketio::Event& event, socketio::Ack& ack) {
        return admit_event(*ctx, socket, event.name, ack);
      });
  // Node drops such events silently, and a client waiting for the ack waits until its own
  // timeout; an error ack says at once that nothing will happen. Without an ack: nothing (a
  // newer client may emit events this server does not know).
  ctx->ns.on_unknown_event([](socketio::Socket& socket, const socketio::Event&, socketio::Ack ack) {
    if (!ack) return;
    // The name is not echoed: it is the client's own text, and it knows what it sent.
    refuse(socket, {}, ack, make_error(code::kUnknownEvent, "no such event"));
  });
}

}  // namespace cz::messenger
