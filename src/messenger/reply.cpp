#include "messenger/reply.hpp"
#include "messenger/events.hpp"

#include <spdlog/spdlog.h>

#include "messenger/identity.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/metrics.hpp"
#include "messenger/render.hpp"

namespace cz::messenger {

void refuse(socketio::Socket& socket, std::string_view event, const socketio::Ack& ack,
            const Error& error) {
  spdlog::debug("messenger: {} refused for socket {}: {} ({})", event, socket.id(), error.code,
                error.message);
  messenger_metrics().error(Api::Socket, error.code).inc();
  if (ack) {
    ack(render_error(error));
    return;
  }
  std::string json;
  StringSink sink(json);
  JsonWriter w(sink);
  w.StartObject();
  if (!event.empty()) write_field(w, "event", event);
  write_field(w, "code", error.code);
  write_field(w, "message", error.message);
  w.EndObject();
  socket.emit(event::kError, std::move(json));
}

}  // namespace cz::messenger
