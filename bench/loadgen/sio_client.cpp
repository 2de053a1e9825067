#include "sio_client.hpp"

#include <rapidjson/allocators.h>

#include <cctype>

#include "json_text.hpp"
#include "sio_packet.hpp"

namespace cz::loadgen {

std::string_view to_string(SioFailure failure) {
  switch (failure) {
    case SioFailure::tcp_connect:
      return "tcp_connect";
    case SioFailure::handshake:
      return "handshake";
    case SioFailure::protocol:
      return "protocol";
    case SioFailure::connect_error:
      return "connect_error";
    case SioFailure::closed:
      return "closed";
    case SioFailure::timeout:
      return "timeout";
  }
  return "unknown";
}

namespace {

// One scratch string per thread for building outgoing packets.
std::string& scratch() {
  thread_local std::string buffer;
  buffer.clear();
  return buffer;
}

std::string url_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
  return out;
}

// Parses small JSON documents without touching the heap (falls back to it for big ones).
struct StackJson {
  char value_buffer[16 * 1024];
  char parse_buffer[2 * 1024];
  rapidjson::MemoryPoolAllocator<> value_allocator{value_buffer, sizeof(value_buffer)};
  rapidjson::MemoryPoolAllocator<> parse_allocator{parse_buffer, sizeof(parse_buffer)};
  rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                             rapidjson::MemoryPoolAllocator<>>
      doc{&value_allocator, sizeof(parse_buffer), &parse_allocator};

  bool parse(std::string_view text) {
    doc.Parse(text.data(), text.size());
    return !doc.HasParseError();
  }
};

const rapidjson::Value& null_value() {
  static const rapidjson::Value value;
  return value;
}

}  // namespace

SioClient::SioClient(boost::asio::io_context& io, SioListener& listener, std::size_t index)
    : ws_(io, *this), listener_(listener), index_(index) {}

void SioClient::connect(const SioTarget& target, const SioCredentials& credentials) {
  state_ = State::connecting;
  nsp_ = target.nsp;
  user_id_ = credentials.user_id;
  auth_json_ = "{\"token\":";
  append_json_string(auth_json_, credentials.token);
  auth_json_ += ",\"user_id\":";
  append_json_string(auth_json_, credentials.user_id);
  auth_json_ += ",\"user_role\":";
  append_json_string(auth_json_, credentials.role);
  auth_json_ += '}';
  std::string query =
      "/socket.io/?EIO=4&transport=websocket&token=" + url_encode(credentials.token) +
      "&user_id=" + url_encode(credentials.user_id) + "&user_role=" + url_encode(credentials.role);
  ws_.start(target.endpoint, std::move(query));
}

std::uint64_t SioClient::emit(std::string_view event, std::string_view json_arg, bool want_ack) {
  const std::uint64_t ack_id = want_ack ? next_ack_id_++ : 0;
  emit_with_ack_id(event, json_arg, ack_id);
  return ack_id;
}

void SioClient::emit_with_ack_id(std::string_view event, std::string_view json_arg,
                                 std::uint64_t ack_id) {
  std::string& out = scratch();
  out.push_back(static_cast<char>(EioType::message));
  out.push_back(static_cast<char>(SioType::event));
  if (nsp_ != "/") {
    out += nsp_;
    out.push_back(',');
  }
  if (ack_id) out += std::to_string(ack_id);
  out += "[\"";
  out += event;
  out += "\",";
  out += json_arg;
  out += ']';
  ws_.send_text(out);
}

void SioClient::send_connect() {
  std::string& out = scratch();
  append_sio_packet(out, SioType::connect, nsp_, 0, auth_json_);
  ws_.send_text(out);
}

void SioClient::on_ws_open() {}  // the server speaks first: Engine.IO open packet

void SioClient::on_ws_text(char* data, std::size_t size) {
  if (size == 0) return;
  const std::string_view text(data, size);
  switch (static_cast<EioType>(text[0])) {
    case EioType::open:
      if (state_ == State::connecting) send_connect();
      return;
    case EioType::ping:
      ws_.send_text("3");
      return;
    case EioType::close:
      return fail(SioFailure::closed, "engine.io close");
    case EioType::message:
      return on_sio_packet(text.substr(1));
    default:
      return;  // pong, noop, upgrade: nothing to do on a websocket-only session
  }
}

void SioClient::on_sio_packet(std::string_view text) {
  const auto packet = parse_sio_packet(text);
  if (!packet) return fail(SioFailure::protocol, "bad socket.io packet");
  if (packet->nsp != nsp_) return;  // another namespace: not ours
  switch (packet->type) {
    case SioType::connect:
      if (state_ == State::connecting) {
        state_ = State::connected;
        listener_.on_connected(*this);
      }
      return;
    case SioType::connect_error:
      return fail(SioFailure::connect_error, packet->data);
    case SioType::disconnect:
      return fail(SioFailure::closed, "namespace disconnect");
    case SioType::event: {
      StackJson local;
      if (!local.parse(packet->data) || !local.doc.IsArray() || local.doc.Empty() ||
          !local.doc[0].IsString()) {
        return fail(SioFailure::protocol, "bad event payload");
      }
      const auto& args = local.doc;
      const std::string_view name(args[0].GetString(), args[0].GetStringLength());
      listener_.on_event(*this, name, args.Size() > 1 ? args[1] : null_value());
      return;
    }
    case SioType::ack: {
      StackJson local;
      if (!packet->ack_id || !local.parse(packet->data) || !local.doc.IsArray()) {
        return fail(SioFailure::protocol, "bad ack payload");
      }
      listener_.on_ack(*this, *packet->ack_id, local.doc.Empty() ? null_value() : local.doc[0]);
      return;
    }
    default:
      return;  // binary packets: the messenger sends none
  }
}

void SioClient::on_ws_failed(WsFailure failure, std::string_view detail) {
  if (state_ == State::failed) return;
  state_ = State::failed;
  SioFailure mapped = SioFailure::closed;
  switch (failure) {
    case WsFailure::tcp_connect:
      mapped = SioFailure::tcp_connect;
      break;
    case WsFailure::handshake:
      mapped = SioFailure::handshake;
      break;
    case WsFailure::protocol:
      mapped = SioFailure::protocol;
      break;
    case WsFailure::closed:
      mapped = SioFailure::closed;
      break;
  }
  listener_.on_failed(*this, mapped, detail);
}

void SioClient::fail(SioFailure failure, std::string_view detail) {
  if (state_ == State::failed) return;
  state_ = State::failed;
  ws_.abort();
  listener_.on_failed(*this, failure, detail);
}

void SioClient::close() {
  state_ = State::failed;
  ws_.abort();
}

}  // namespace cz::loadgen
