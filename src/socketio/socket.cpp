#include "socketio/socket.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>

#include "engineio/session_handle.hpp"
#include "socketio/adapter.hpp"
#include "socketio/client.hpp"
#include "socketio/guarded.hpp"
#include "socketio/json_util.hpp"
#include "socketio/namespace.hpp"
#include "socketio/packet.hpp"
#include "socketio/thread_check.hpp"
#include "util/post_batch.hpp"

namespace cz::socketio {

namespace {
constexpr std::size_t kAuthChunkBytes = 256;
}  // namespace

Socket::Socket(Namespace& nsp, std::shared_ptr<Client> client, std::string id,
               const engineio::HandshakeInfo& info, const rapidjson::Value& auth)
    : nsp_(&nsp), client_(std::move(client)), id_(std::move(id)), auth_allocator_(kAuthChunkBytes) {
  handshake_.address = info.remote_address;
  handshake_.url = info.url;
  handshake_.query = info.query;
  handshake_.headers = info.headers;
  handshake_.auth = rapidjson::Document(&auth_allocator_);
  if (auth.IsObject()) deep_copy(auth, handshake_.auth, auth_allocator_);
}

Socket::~Socket() = default;

const std::string& Socket::id() const {
  return id_;
}
Namespace& Socket::nsp() const {
  return *nsp_;
}
const Handshake& Socket::handshake() const {
  return handshake_;
}
net::ShardId Socket::shard() const {
  return client_->shard();
}
boost::asio::any_io_executor Socket::executor() const {
  return client_->executor();
}
bool Socket::connected() const {
  return state_ == State::Connected;
}
std::any& Socket::data() {
  return data_;
}
const std::unordered_set<std::string>& Socket::rooms() const {
  return rooms_;
}

bool Socket::on_own_thread() const {
  return running_in(client_->executor());
}

void Socket::on(std::string event, EventHandler handler) {
  if (!handlers_) handlers_ = std::make_unique<decltype(handlers_)::element_type>();
  (*handlers_)[std::move(event)] = std::move(handler);
}

void Socket::on_disconnect(DisconnectHandler handler) {
  disconnect_handlers_.push_back(std::move(handler));
}

// --- sending ---

void Socket::send_now(SharedBuffer text, const std::vector<SharedBuffer>& attachments) {
  if (state_ != State::Connected) return;
  client_->send(std::move(text), false);
  for (const auto& attachment : attachments) client_->send(attachment, true);
}

void Socket::deliver(const std::vector<SharedBuffer>& encoded) {
  if (state_ != State::Connected || encoded.empty()) return;
  client_->send(encoded.front(), false);
  for (std::size_t i = 1; i < encoded.size(); ++i) client_->send(encoded[i], true);
}

void Socket::emit(std::string_view event, Payload payload) {
  nsp_->sent(event).inc();
  // Encoding needs nothing of the socket's mutable state, so it runs on the caller's thread.
  SharedBuffer text =
      make_buffer(encode_event(nsp_->name(), event, payload.json_args, payload.attachments.size()));
  if (on_own_thread()) {
    send_now(std::move(text), payload.attachments);
    return;
  }
  util::post_to(client_->executor(), [self = shared_from_this(), text = std::move(text),
                                      attachments = std::move(payload.attachments)] {
    self->send_now(text, attachments);
  });
}

void Socket::emit_with_ack(std::string_view event, Payload payload,
                           std::chrono::milliseconds timeout, AckCallback callback) {
  if (!on_own_thread()) {
    util::post_to(client_->executor(), [self = shared_from_this(), event = std::string(event),
                                        payload = std::move(payload), timeout,
                                        callback = std::move(callback)]() mutable {
      self->emit_with_ack(event, std::move(payload), timeout, std::move(callback));
    });
    return;
  }
  if (state_ != State::Connected) {
    // Never call back from inside the caller's own call: answer from the event loop.
    util::post_to(client_->executor(), [callback = std::move(callback)] {
      guarded("ack callback", [&] { callback(AckReply{true}); });
    });
    return;
  }
  nsp_->sent(event).inc();
  const std::uint64_t id = next_ack_id_++;
  auto pending = std::unique_ptr<PendingAck>(
      new PendingAck{id, std::move(callback), boost::asio::steady_timer(client_->executor())});
  pending->timer.expires_after(timeout);
  pending->timer.async_wait([weak = weak_from_this(), id](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the reply came, or the socket went away
    if (auto self = weak.lock()) guarded("ack timeout callback", [&] { self->on_ack_timeout(id); });
  });
  pending_acks_.push_back(std::move(pending));
  send_now(make_buffer(encode_event(nsp_->name(), event, payload.json_args,
                                    payload.attachments.size(), id)),
           payload.attachments);
}

Ack Socket::make_ack(std::uint64_t id) {
  struct AckState {
    std::shared_ptr<Socket> socket;
    std::uint64_t id;
    std::atomic<bool> sent{false};
  };
  auto state = std::make_shared<AckState>();
  state->socket = shared_from_this();
  state->id = id;
  return Ack([state](Payload payload) {
    if (state->sent.exchange(true)) return;  // an ack answers once
    state->socket->send_ack(state->id, std::move(payload));
  });
}

void Socket::send_ack(std::uint64_t id, Payload payload) {
  SharedBuffer text =
      make_buffer(encode_ack(nsp_->name(), id, payload.json_args, payload.attachments.size()));
  if (on_own_thread()) {
    send_now(std::move(text), payload.attachments);
    return;
  }
  util::post_to(client_->executor(), [self = shared_from_this(), text = std::move(text),
                                      attachments = std::move(payload.attachments)] {
    self->send_now(text, attachments);
  });
}

// --- rooms ---

void Socket::join(const std::string& room) {
  if (state_ == State::Disconnected) return;
  if (rooms_.insert(room).second) nsp_->adapter().add(*this, room);
}

void Socket::leave(const std::string& room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  rooms_.erase(it);
  nsp_->adapter().remove(*this, room);
}

BroadcastOperator Socket::to(std::string room) const {
  return BroadcastOperator(*nsp_, BroadcastTarget{{std::move(room)}, {id_}});
}

BroadcastOperator Socket::broadcast() const {
  return BroadcastOperator(*nsp_, BroadcastTarget{{}, {id_}});
}

// --- lifecycle ---

void Socket::disconnect(bool close_connection) {
  if (!on_own_thread()) {
    util::post_to(client_->executor(), [self = shared_from_this(), close_connection] {
      self->disconnect(close_connection);
    });
    return;
  }
  if (close_connection) {
    client_->disconnect_all_and_close();
    return;
  }
  if (state_ != State::Connected) return;
  send_now(make_buffer(encode_disconnect(nsp_->name())), {});
  on_close("server namespace disconnect");
}

void Socket::on_connect() {
  state_ = State::Connected;
  nsp_->socket_counters().accepted.inc();
  nsp_->socket_counters().connected.add();
  join(id_);
  client_->send(make_buffer(encode_connect(nsp_->name(), id_)), false);
}

void Socket::on_packet(Packet& packet) {
  switch (packet.type) {
    case PacketType::Event:
    case PacketType::BinaryEvent:
      on_event(packet);
      return;
    case PacketType::Ack:
    case PacketType::BinaryAck:
      on_ack(packet);
      return;
    case PacketType::Disconnect:
      on_close("client namespace disconnect");
      return;
    default:
      return;  // CONNECT/CONNECT_ERROR are the Client's business
  }
}

void Socket::on_event(Packet& packet) {
  const EventHandler* handler = nullptr;
  if (handlers_) {
    auto it = handlers_->find(packet.event);
    if (it != handlers_->end()) handler = &it->second;
  }
  const auto* entry = nsp_->find_handler(packet.event);
  (entry ? *entry->received : nsp_->received_other()).inc();
  if (!handler && entry) handler = &entry->handler;
  if (!handler && nsp_->unknown_event_handler_) handler = &nsp_->unknown_event_handler_;
  const EventFilter& filter = nsp_->event_filter_;
  if (!handler && !filter) return;  // as Node: an event nobody listens to is dropped
  Ack ack = packet.id ? make_ack(*packet.id) : Ack();
  const Event event{packet.event, packet.data(), packet.buffers};
  if (filter && !filter(*this, event, ack)) return;
  if (handler) (*handler)(*this, event, std::move(ack));
}

void Socket::on_ack(Packet& packet) {
  auto it = std::find_if(pending_acks_.begin(), pending_acks_.end(),
                         [&](const auto& p) { return p->id == *packet.id; });
  if (it == pending_acks_.end()) return;  // unknown or already timed out
  std::unique_ptr<PendingAck> pending = std::move(*it);
  pending_acks_.erase(it);
  pending->timer.cancel();
  pending->callback(AckReply{false, &packet.data(), packet.buffers});
}

void Socket::on_ack_timeout(std::uint64_t id) {
  auto it = std::find_if(pending_acks_.begin(), pending_acks_.end(),
                         [&](const auto& p) { return p->id == id; });
  if (it == pending_acks_.end()) return;
  std::unique_ptr<PendingAck> pending = std::move(*it);
  pending_acks_.erase(it);
  pending->callback(AckReply{true});
}

void Socket::on_close(std::string_view reason) {
  if (state_ == State::Disconnected) return;
  const bool was_connected = state_ == State::Connected;
  state_ = State::Disconnected;
  auto self = shared_from_this();  // the client drops its reference below
  nsp_->adapter().remove_all(*this);
  rooms_.clear();
  client_->remove(*this);
  auto acks = std::move(pending_acks_);
  pending_acks_.clear();
  for (auto& pending : acks) {
    pending->timer.cancel();
    guarded("ack callback", [&] { pending->callback(AckReply{true}); });
  }
  if (!was_connected) return;
  nsp_->socket_counters().connected.sub();
  for (auto& handler : disconnect_handlers_)
    guarded("disconnect handler", [&] { handler(*this, reason); });
  for (auto& handler : nsp_->disconnect_handlers_)
    guarded("disconnect handler", [&] { handler(*this, reason); });
}

}  // namespace cz::socketio
