#pragma once
// The public face of the Socket.IO layer, as the messenger (and tests) use it.
//
// Threading: a Socket lives on its Engine.IO connection's shard thread. Event handlers,
// middleware and disconnect callbacks run there. Socket::emit and every broadcast are
// thread-safe; everything else on a Socket must be called on socket.executor().
//
// JSON arguments are passed already serialized, as the comma-separated elements of the
// argument array without the brackets: `{"a":1},"x"` for two arguments, "" for none. The
// messenger serializes with rapidjson::Writer straight into a string; nothing builds a DOM on
// the send path. Incoming arguments arrive parsed (rapidjson) because handlers validate them.
#include <rapidjson/document.h>

#include <any>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "net/io_pool.hpp"
#include "util/buffer.hpp"
#include "util/result.hpp"

namespace cz::socketio {

class Socket;
class Namespace;

// Serialized arguments of an emit/ack, plus binary attachments referenced from the JSON by
// {"_placeholder":true,"num":N} (N indexes `attachments`).
struct Payload {
  std::string json_args;
  std::vector<SharedBuffer> attachments;
};

// The handshake of one namespace connection: Engine.IO request data plus the CONNECT `auth`.
struct Handshake {
  std::string address;
  std::string url;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  rapidjson::Document auth;  // the CONNECT payload; null when absent

  // First query parameter named `key`, if any.
  std::optional<std::string_view> query_param(std::string_view key) const;
};

// Answers one client ack request. Empty (false) when the client did not ask for an ack.
// Calling it more than once sends nothing after the first call. Thread-safe.
class Ack {
 public:
  Ack() = default;
  explicit operator bool() const { return static_cast<bool>(send_); }
  void operator()(Payload payload) const;
  void operator()(std::string json_args) const { (*this)(Payload{std::move(json_args), {}}); }

  // Used by the Socket.IO layer to build one.
  explicit Ack(std::function<void(Payload)> send) : send_(std::move(send)) {}

 private:
  std::function<void(Payload)> send_;
};

// One incoming EVENT/BINARY_EVENT.
struct Event {
  std::string_view name;
  const rapidjson::Value& args;              // JSON array of the arguments after the event name
  std::span<const std::string> attachments;  // binary attachments, by placeholder number
};

// Refusal of a namespace connection, sent as CONNECT_ERROR {message, data}.
struct ConnectError {
  std::string message;
  std::string data_json;  // serialized JSON for `data`; empty means no data field
};

// Result of an ack the server asked the client for: the client's arguments, or a timeout.
struct AckReply {
  bool timed_out = false;
  const rapidjson::Value* args = nullptr;         // JSON array; null when timed out
  std::span<const std::string> attachments = {};  // binary attachments of a BINARY_ACK
};

using EventHandler = std::function<void(Socket&, const Event&, Ack)>;
using AckCallback = std::function<void(const AckReply&)>;
using DisconnectHandler = std::function<void(Socket&, std::string_view reason)>;
using ConnectionHandler = std::function<void(const std::shared_ptr<Socket>&)>;
// A malformed EVENT for a connected socket (see Namespace::on_malformed). `error.code` is
// INVALID_JSON (the JSON part is not JSON) or PARSE_ERROR (JSON, but not ["name", ...args]);
// the ack is set when the packet's header carried an ack id.
using MalformedHandler = std::function<void(Socket&, const Error& error, Ack)>;
// Runs before every EVENT of a namespace's sockets, handled or not (see
// Namespace::use_event_filter). Returns false to drop the event; it has then answered the ack
// itself if it wanted to.
using EventFilter = std::function<bool(Socket&, const Event&, Ack&)>;
// Middleware calls `next` exactly once: with nullopt to let the connection through, or with an
// error to refuse it. It may call `next` later (asynchronously), on any thread.
using Next = std::function<void(std::optional<ConnectError>)>;
using Middleware = std::function<void(Socket&, Next)>;

// Which sockets a broadcast reaches: the union of `rooms` (all sockets of the namespace when
// empty), minus the sockets in any of `except_rooms`.
struct BroadcastTarget {
  std::vector<std::string> rooms;
  std::vector<std::string> except_rooms;
};

// Called once a broadcast has left this process: `published` is true when every node that may
// hold recipients has it (at once for a single node; when Redis has answered the PUBLISH in a
// cluster), false when that is unknown (Redis down, or no answer in time). Any thread.
using Sent = std::function<void(bool published)>;

// Builder returned by Namespace::to() / Socket::to(). Thread-safe to use and to copy.
class BroadcastOperator {
 public:
  BroadcastOperator(Namespace& ns, BroadcastTarget target) : ns_(&ns), target_(std::move(target)) {}
  BroadcastOperator to(std::string room) &&;
  BroadcastOperator except(std::string room) &&;
  // The packet is encoded once and the same bytes are queued on every recipient.
  void emit(std::string_view event, Payload payload = {}) const;
  void emit(std::string_view event, std::string json_args) const {
    emit(event, Payload{std::move(json_args), {}});
  }
  // The same, then `sent` (see Sent).
  void emit(std::string_view event, std::string json_args, Sent sent) const;

 private:
  Namespace* ns_;
  BroadcastTarget target_;
};

}  // namespace cz::socketio
