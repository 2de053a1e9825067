#include "test_namespaces.hpp"

#include <algorithm>

#include <chrono>

#include "socketio/json_util.hpp"
#include "socketio/namespace.hpp"
#include "socketio/packet.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace cz::socketio {

namespace {

// JavaScript truthiness of a JSON value.
bool truthy(const rapidjson::Value& v) {
  if (v.IsNull() || v.IsFalse()) return false;
  if (v.IsString()) return v.GetStringLength() > 0;
  if (v.IsNumber()) return v.GetDouble() != 0.0;
  return true;
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// Binary attachments of an incoming event, as buffers to send back.
std::vector<SharedBuffer> copy_attachments(std::span<const std::string> attachments) {
  std::vector<SharedBuffer> out;
  out.reserve(attachments.size());
  for (const auto& a : attachments) out.push_back(make_buffer(a));
  return out;
}

void refuse_on_request(Socket& socket, Next next) {
  const Handshake& hs = socket.handshake();
  std::string reason_json;
  if (const auto* refuse = member(hs.auth, "refuse"); refuse && truthy(*refuse)) {
    append_json(reason_json, *refuse);
  } else if (auto query = hs.query_param("refuse"); query && !query->empty()) {
    reason_json = json_string(*query);
  }
  if (reason_json.empty()) {
    next(std::nullopt);
  } else {
    next(ConnectError{"refused", "{\"reason\":" + reason_json + "}"});
  }
}

void welcome(const std::shared_ptr<Socket>& socket) {
  const Handshake& hs = socket->handshake();
  std::string json = "{\"id\":" + json_string(socket->id()) +
                     ",\"nsp\":" + json_string(socket->nsp().name()) + ",\"query\":{";
  bool first = true;
  for (const auto& [key, value] : hs.query) {
    if (!first) json.push_back(',');
    first = false;
    append_json_string(json, key);
    json.push_back(':');
    append_json_string(json, value);
  }
  json += "},\"auth\":";
  if (hs.auth.IsObject()) {
    append_json(json, hs.auth);
  } else {
    json += "null";
  }
  json.push_back('}');
  socket->emit("welcome", std::move(json));
}

void echo(Socket& socket, const Event& event, Ack ack) {
  Payload payload{json_args_of(event.args), copy_attachments(event.attachments)};
  if (ack) {
    ack(std::move(payload));
  } else {
    socket.emit("echo", std::move(payload));
  }
}

void join_or_leave(Socket& socket, const Event& event, Ack ack, bool join) {
  if (event.args.Empty() || !event.args[0].IsString()) {
    if (ack) ack("{\"error\":\"room must be a string\"}");
    return;
  }
  std::string room(event.args[0].GetString(), event.args[0].GetStringLength());
  if (join) {
    socket.join(room);
  } else {
    socket.leave(room);
  }
  if (ack) ack("\"ok\"");
}

void broadcast(Socket& socket, const Event& event, Ack ack) {
  const rapidjson::Value* options = event.args.Empty() ? nullptr : &event.args[0];
  const rapidjson::Value* name = options ? member(*options, "event") : nullptr;
  if (!name || !name->IsString()) {
    if (ack) ack("{\"error\":\"event must be a string\"}");
    return;
  }
  BroadcastTarget target;
  if (const auto* room = member(*options, "room"); room && room->IsString())
    target.rooms.emplace_back(room->GetString(), room->GetStringLength());
  const auto* include_self = member(*options, "include_self");
  if (!include_self || !truthy(*include_self)) target.except_rooms.push_back(socket.id());
  const auto* args = member(*options, "args");
  Payload payload{args ? json_args_of(*args) : std::string(), copy_attachments(event.attachments)};
  socket.nsp().broadcast(target, std::string_view(name->GetString(), name->GetStringLength()),
                         std::move(payload));
  if (ack) ack("\"ok\"");
}

void ask(Socket& socket, const Event& event, Ack) {
  const rapidjson::Value* options = event.args.Empty() ? nullptr : &event.args[0];
  const rapidjson::Value* name = options ? member(*options, "event") : nullptr;
  if (!name || !name->IsString()) return;
  const auto* args = member(*options, "args");
  const auto* timeout = member(*options, "timeout_ms");
  std::int64_t timeout_ms = 5000;
  if (timeout && timeout->IsNumber()) timeout_ms = static_cast<std::int64_t>(timeout->GetDouble());
  timeout_ms = std::clamp<std::int64_t>(timeout_ms, 0, 600000);
  std::weak_ptr<Socket> weak = socket.shared_from_this();
  socket.emit_with_ack(
      std::string_view(name->GetString(), name->GetStringLength()),
      Payload{args ? json_args_of(*args) : std::string(), copy_attachments(event.attachments)},
      std::chrono::milliseconds(timeout_ms), [weak](const AckReply& reply) {
        auto socket = weak.lock();
        if (!socket) return;
        std::string result = reply.timed_out ? "{\"timed_out\":true,\"reply\":[]}"
                                             : "{\"timed_out\":false,\"reply\":";
        if (!reply.timed_out) {
          append_json(result, *reply.args);
          result.push_back('}');
        }
        socket->emit("ask_result", Payload{std::move(result), copy_attachments(reply.attachments)});
      });
}

void install(Namespace& nsp) {
  nsp.declare_emitted_events({"welcome", "ask_result"});
  nsp.use(refuse_on_request);
  nsp.on_connection(welcome);
  nsp.on("echo", echo);
  nsp.on("join", [](Socket& s, const Event& e, Ack ack) { join_or_leave(s, e, ack, true); });
  nsp.on("leave", [](Socket& s, const Event& e, Ack ack) { join_or_leave(s, e, ack, false); });
  nsp.on("broadcast", broadcast);
  nsp.on("ask", ask);
  nsp.on("disconnect_me", [](Socket& s, const Event&, Ack) { s.disconnect(false); });
  nsp.on("close_me", [](Socket& s, const Event&, Ack) { s.disconnect(true); });
}

}  // namespace

void install_test_namespaces(Server& server) {
  for (const char* name : {"/", "/test", "/test2"}) install(server.of(name));
}

}  // namespace cz::socketio
