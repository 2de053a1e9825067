// Packets on /messenger whose JSON does not parse (or is not ["event", ...]): the Socket.IO layer
// hands them here instead of closing the connection, so a buggy or hostile payload costs its
// sender one error reply, like any other refused event, and nothing else.
#include "messenger/errors.hpp"
#include "messenger/handlers.hpp"
#include "messenger/reply.hpp"
#include "socketio/namespace.hpp"
#include "socketio/packet.hpp"

namespace cz::messenger {

void install_malformed(const ContextPtr& ctx) {
  ctx->ns.on_malformed([ctx](socketio::Socket& socket, const Error& error, socketio::Ack ack) {
    if (!admit_event(*ctx, socket, {}, ack)) return;
    const char* code =
        error.code == socketio::kInvalidJson ? code::kInvalidJson : code::kValidationError;
    // The event name is unknown (it is inside the JSON that did not parse): no `event` field.
    refuse(socket, {}, ack, make_error(code, "malformed packet: " + error.message));
  });
}

}  // namespace cz::messenger
