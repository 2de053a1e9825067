#include "socketio/client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "socketio/guarded.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"
#include "socketio/socket_id.hpp"

namespace cz::socketio {

namespace {
DecodeLimits limits_of(const ServerOptions& options) {
  DecodeLimits limits;
  limits.max_attachments = options.max_attachments;
  return limits;
}
}  // namespace

Client::Client(Server& server, std::shared_ptr<engineio::SessionHandle> connection)
    : server_(server),
      connection_(std::move(connection)),
      shard_(connection_->shard()),
      executor_(connection_->executor()),
      reassembler_(limits_of(server.options())),
      connect_timer_(executor_) {}

void Client::start() {
  // As Node: a client that joins no namespace in time is dropped, so idle Engine.IO sessions
  // cannot pile up.
  connect_timer_.expires_after(server_.options().connect_timeout);
  connect_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (self && !self->any_connected()) {
      spdlog::debug("socket.io: no namespace joined in time, closing {}",
                    self->connection_ ? self->connection_->id() : std::string("?"));
      self->close();
    }
  });
  connection_->set_listener(shared_from_this());
}

void Client::on_message(std::string_view data, bool binary) {
  if (closed_ || closing_) return;
  const bool mid_binary_packet = reassembler_.awaiting_attachments();
  auto result = reassembler_.feed(data, binary);
  if (!result) {
    // A text packet that failed on its own (not as part of a binary packet) may be reported to
    // its namespace instead; otherwise, as Node, a packet that does not decode ends the
    // connection.
    if (!binary && !mid_binary_packet && report_malformed(data, result.error())) return;
    spdlog::debug("socket.io: closing {}: {}", connection_->id(), result.error().message);
    close();
    return;
  }
  if (result->has_value()) guarded("event handling", [&] { on_packet(**result); });
}

bool Client::report_malformed(std::string_view text, const Error& error) {
  // Only plain EVENTs: a BINARY_EVENT's attachments would follow with no header to attach to,
  // and ACKs/CONNECTs are protocol state, not application input.
  auto header = decode_header(text, reassembler_.limits());
  if (!header || header->type != PacketType::Event) return false;
  Entry* entry = find(header->nsp);
  if (!entry || entry->connecting || !entry->nsp->malformed_handler_) return false;
  Namespace& nsp = *entry->nsp;
  auto socket = entry->socket;  // the handler may disconnect it (and so drop `entry`)
  spdlog::debug("socket.io: malformed packet from {} on {}: {}", socket->id(), nsp.name(),
                error.message);
  Ack ack = header->id ? socket->make_ack(*header->id) : Ack();
  guarded("malformed packet handler",
          [&] { nsp.malformed_handler_(*socket, error, std::move(ack)); });
  return true;
}

void Client::on_packet(Packet& packet) {
  Entry* entry = find(packet.nsp);
  switch (packet.type) {
    case PacketType::Connect:
      if (!entry) {
        connect(packet);
      } else if (!entry->connecting) {
        close();  // CONNECT to a namespace already connected: invalid state, as Node
      }
      return;
    case PacketType::ConnectError:
      close();  // only servers send it
      return;
    default:
      break;
  }
  // Packets for a namespace not (or no longer) connected are dropped: they cross our own
  // DISCONNECT on the wire. (Node closes the connection; dropping is kinder and as safe.)
  if (!entry || entry->connecting) return;
  auto socket = entry->socket;  // handlers may disconnect it
  socket->on_packet(packet);
}

void Client::connect(Packet& packet) {
  Namespace* nsp = server_.find(packet.nsp);
  if (!nsp) {
    send(make_buffer(encode_connect_error(packet.nsp, "Invalid namespace")), false);
    return;
  }
  auto socket = std::make_shared<Socket>(*nsp, shared_from_this(), generate_socket_id(),
                                         connection_->handshake(), packet.data());
  sockets_.push_back(Entry{nsp, socket, true});
  nsp->run_middleware(std::move(socket), 0);
}

void Client::finish_connect(const std::shared_ptr<Socket>& socket,
                            std::optional<ConnectError> error) {
  auto it = std::find_if(sockets_.begin(), sockets_.end(),
                         [&](const Entry& e) { return e.socket == socket; });
  if (it == sockets_.end() || closed_) {
    socket->on_close("transport close");  // the connection went away meanwhile: clean up quietly
    return;
  }
  Namespace& nsp = *it->nsp;
  if (error) {
    nsp.socket_counters().refused.inc();
    sockets_.erase(it);
    socket->on_close("server namespace disconnect");  // never connected: no handlers run
    send(make_buffer(encode_connect_error(nsp.name(), error->message, error->data_json)), false);
    return;
  }
  it->connecting = false;
  connect_timer_.cancel();
  socket->on_connect();
  if (nsp.connection_handler_)
    guarded("connection handler", [&] { nsp.connection_handler_(socket); });
}

void Client::remove(const Socket& socket) {
  auto it = std::find_if(sockets_.begin(), sockets_.end(),
                         [&](const Entry& e) { return e.socket.get() == &socket; });
  if (it != sockets_.end()) sockets_.erase(it);
}

void Client::send(SharedBuffer packet, bool binary) {
  if (connection_ && !closed_) connection_->send(std::move(packet), binary);
}

void Client::disconnect_all_and_close() {
  std::vector<std::shared_ptr<Socket>> connected;
  for (const Entry& e : sockets_)
    if (!e.connecting) connected.push_back(e.socket);
  for (auto& socket : connected) socket->disconnect(false);
  close();
}

void Client::close() {
  if (!connection_ || closed_ || closing_) return;
  closing_ = true;
  connection_->close();
}

void Client::on_close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  // Tear down from the event loop rather than inside whatever call reported the close (it may
  // be our own send() or close(), deep inside an event handler or a broadcast loop).
  boost::asio::post(executor_, [self = shared_from_this(), reason = std::string(reason)] {
    self->teardown(reason);
  });
}

void Client::teardown(const std::string& reason) {
  connect_timer_.cancel();
  auto entries = std::move(sockets_);
  sockets_.clear();
  for (auto& entry : entries)
    guarded("disconnect handling", [&] { entry.socket->on_close(reason); });
  connection_.reset();
}

Client::Entry* Client::find(std::string_view nsp) {
  for (auto& e : sockets_)
    if (e.nsp->name() == nsp) return &e;
  return nullptr;
}

bool Client::any_connected() const {
  return std::any_of(sockets_.begin(), sockets_.end(),
                     [](const Entry& e) { return !e.connecting; });
}

}  // namespace cz::socketio
