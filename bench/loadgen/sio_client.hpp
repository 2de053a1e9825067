#pragma once
// A Socket.IO v5 client for one namespace over Engine.IO v4 on a WebSocket: answers pings,
// connects the namespace with the handshake auth, emits events (with acks) and hands received
// events and acks to its owner, already parsed.
#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ws_client.hpp"

namespace cz::loadgen {

enum class SioFailure { tcp_connect, handshake, protocol, connect_error, closed, timeout };
std::string_view to_string(SioFailure failure);

struct SioTarget {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string nsp = "/messenger";
};

struct SioCredentials {
  std::string user_id;
  std::string role;
  std::string token;
};

class SioClient;

class SioListener {
 public:
  virtual void on_connected(SioClient& client) = 0;
  // Before or after on_connected; the client is closed afterwards.
  virtual void on_failed(SioClient& client, SioFailure failure, std::string_view detail) = 0;
  // `arg` is the event's first argument (null when it has none).
  virtual void on_event(SioClient& client, std::string_view name, const rapidjson::Value& arg) = 0;
  virtual void on_ack(SioClient& client, std::uint64_t ack_id, const rapidjson::Value& arg) = 0;

 protected:
  ~SioListener() = default;
};

class SioClient final : private WsClient::Listener {
 public:
  enum class State { idle, connecting, connected, failed };

  SioClient(boost::asio::io_context& io, SioListener& listener, std::size_t index);

  void connect(const SioTarget& target, const SioCredentials& credentials);
  // Emits `event` with one JSON argument (`json_arg` is JSON text). Returns the ack id asked
  // for, or 0 when `want_ack` is false.
  std::uint64_t emit(std::string_view event, std::string_view json_arg, bool want_ack);
  // Same, with an ack id chosen by the caller (0 = no ack): lets the caller find its own
  // record of the message from the ack id alone.
  void emit_with_ack_id(std::string_view event, std::string_view json_arg, std::uint64_t ack_id);
  // Fails the client with `failure` (e.g. a timeout decided by the owner) and closes it.
  void fail(SioFailure failure, std::string_view detail);
  // Closes without reporting.
  void close();

  State state() const { return state_; }
  std::size_t index() const { return index_; }
  const std::string& user_id() const { return user_id_; }

 private:
  void on_ws_open() override;
  void on_ws_text(char* data, std::size_t size) override;
  void on_ws_failed(WsFailure failure, std::string_view detail) override;
  void on_sio_packet(std::string_view text);
  void send_connect();

  WsClient ws_;
  SioListener& listener_;
  std::size_t index_;
  State state_ = State::idle;
  std::string nsp_;
  std::string user_id_;
  std::string auth_json_;
  std::uint64_t next_ack_id_ = 1;
};

}  // namespace cz::loadgen
