#include "engineio/session.hpp"

#include <boost/asio/post.hpp>

#include "engineio/metrics.hpp"
#include "util/post_batch.hpp"

namespace cz::engineio {

namespace asio = boost::asio;
namespace http = net::http;

namespace {

// Relays one WebSocket's events to its session. Holds the session weakly: the session owns the
// socket, the socket owns this listener.
class WsListener final : public net::WebSocketListener {
 public:
  WsListener(std::weak_ptr<Session> session, const net::WebSocket* ws)
      : session_(std::move(session)), ws_(ws) {}
  void on_message(std::string_view payload, bool binary) override {
    if (auto s = session_.lock()) s->on_ws_message(ws_, payload, binary);
  }
  void on_close() override {
    if (auto s = session_.lock()) s->on_ws_close(ws_);
  }

 private:
  std::weak_ptr<Session> session_;
  const net::WebSocket* ws_;
};

const SharedBuffer& ping_packet() {
  static const SharedBuffer p = make_buffer("2");
  return p;
}

std::string_view reason_for(net::WebSocket::CloseCause cause) {
  using C = net::WebSocket::CloseCause;
  switch (cause) {
    case C::SlowClient:
      return "slow client";
    case C::Shutdown:
      return "server shutting down";
    case C::Local:
      return "forced close";
    case C::Remote:
      return "transport close";
    case C::None:
    case C::ProtocolError:
    case C::TooBig:
    case C::IoError:
      return "transport error";
  }
  return "transport error";
}

}  // namespace

Session::Session(std::shared_ptr<ServerContext> context, std::string id, net::ShardId shard,
                 HandshakeInfo handshake)
    : context_(std::move(context)),
      id_(std::move(id)),
      shard_(shard),
      io_(context_->pool.context(shard)),
      handshake_(std::move(handshake)),
      polling_(*context_),
      websocket_(io_),
      timer_(io_) {}

Session::~Session() = default;

// ---------------------------------------------------------------------------------------------
// SessionHandle

void Session::set_listener(std::shared_ptr<SessionListener> listener) {
  if (!on_own_thread()) {
    asio::post(io_, [self = shared_from_this(), l = std::move(listener)]() mutable {
      self->set_listener(std::move(l));
    });
    return;
  }
  listener_ = std::move(listener);
  if (!listener_) return;
  if (notified_) {
    // Ended before the listener came: it still hears of it, once.
    notified_ = false;
    notify_close(close_reason_);
    return;
  }
  // Messages that came before the listener: delivered now, in order.
  auto early = std::move(early_messages_);
  for (auto& m : early) {
    if (!listener_) break;
    listener_->on_message(m.data, m.binary);
  }
}

void Session::send(SharedBuffer packet, bool binary) {
  if (!on_own_thread()) {
    util::post_to(io_.get_executor(), [self = shared_from_this(), p = std::move(packet),
                                       binary]() mutable { self->send(std::move(p), binary); });
    return;
  }
  send_packet(std::move(packet), binary);
}

void Session::close() {
  // Always from a fresh handler: the caller (Socket.IO) may be in the middle of its own work.
  asio::post(io_, [self = shared_from_this()] { self->begin_close(); });
}

// ---------------------------------------------------------------------------------------------
// Opening

namespace {

std::string open_packet(const ServerOptions& o, const std::string& sid, bool upgrades) {
  std::string p = "0{\"sid\":\"" + sid + "\",\"upgrades\":[";
  if (upgrades) p += "\"websocket\"";
  p += "],\"pingInterval\":" + std::to_string(o.ping_interval.count()) +
       ",\"pingTimeout\":" + std::to_string(o.ping_timeout.count()) +
       ",\"maxPayload\":" + std::to_string(o.max_payload) + "}";
  return p;
}

}  // namespace

void Session::open_polling(std::shared_ptr<net::HttpExchange> handshake_get) {
  const auto& o = context_->options;
  polling_.hold(std::move(handshake_get));
  polling_.buffer(make_buffer(open_packet(o, id_, o.allow_websocket && o.allow_upgrades)), false);
  context_->acceptor.on_connection(shared_from_this());
  schedule_ping();
  // The handshake response carries the open packet and whatever on_connection queued.
  flush_poll();
}

void Session::open_websocket(std::shared_ptr<net::WebSocket> ws) {
  const net::WebSocket* socket = ws.get();
  websocket_.attach(std::move(ws), std::make_shared<WsListener>(weak_from_this(), socket));
  on_websocket_.store(true, std::memory_order_release);
  websocket_.send(make_buffer(open_packet(context_->options, id_, false)), false);
  context_->acceptor.on_connection(shared_from_this());
  schedule_ping();
}

// ---------------------------------------------------------------------------------------------
// Polling

void Session::refuse(const std::shared_ptr<net::HttpExchange>& request, ErrorCode code) {
  polling_.respond(request, make_error_response(request->request(), code, false));
}

void Session::on_poll(std::shared_ptr<net::HttpExchange> get) {
  if (state_ == State::Closed) return refuse(get, ErrorCode::UnknownSid);
  if (on_websocket_.load()) return refuse(get, ErrorCode::BadRequest);
  if (polling_.waiting()) {
    // Two GETs at once: the client is broken (or hostile); Node ends the session.
    refuse(get, ErrorCode::BadRequest);
    close_now("transport error");
    return;
  }
  polling_.hold(std::move(get));
  if (state_ == State::Closing) {
    flush_poll();  // carries the close packet, then the session ends
    return;
  }
  if (websocket_.probe_answered()) {
    // Upgrade in progress: release the client's polling loop at once so it can send "5".
    polling_.answer(PacketType::Noop);
    return;
  }
  if (!polling_.empty()) flush_poll();
}

void Session::on_poll_aborted(const net::HttpExchange* get) {
  if (!polling_.is_pending(get) || state_ == State::Closed) return;
  polling_.forget_get();
  close_now("transport error");
}

void Session::on_data(std::shared_ptr<net::HttpExchange> post) {
  if (state_ == State::Closed) return refuse(post, ErrorCode::UnknownSid);
  if (on_websocket_.load()) return refuse(post, ErrorCode::BadRequest);
  std::string_view close_reason;
  auto packets = polling_.read_post(post, &close_reason);
  if (!packets) {
    close_now(close_reason);
    return;
  }
  // The exchange is answered; the session goes on with its packets.
  auto self = shared_from_this();  // a packet may close (and untable) the session
  for (auto& p : *packets) {
    if (state_ != State::Open) break;
    handle_packet(p.type, p.data, p.binary);
  }
}

void Session::send_packet(SharedBuffer bytes, bool binary) {
  if (state_ != State::Open) return;
  if (websocket_.open()) {
    websocket_.send(std::move(bytes), binary);
    return;
  }
  if (!polling_.buffer(std::move(bytes), binary)) {
    // The client does not come to fetch its packets; its buffer is dropped. (Safe with the
    // sender on the stack: the listener hears of it from a fresh handler.)
    engine_metrics().slow_polling_clients.inc();
    close_now("slow client");
    return;
  }
  schedule_poll_flush();
}

void Session::schedule_poll_flush() {
  if (!polling_.waiting() || flush_scheduled_) return;
  // Deferred: everything sent by the current handler goes out in one response.
  flush_scheduled_ = true;
  asio::post(io_, [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush_poll();
  });
}

void Session::flush_poll() {
  if (!polling_.waiting()) return;
  if (state_ == State::Closing) {
    // Last response: what is left, then the close packet.
    polling_.flush(true);
    finalize();
    return;
  }
  // While a probe is answered, packets wait for the WebSocket (or for the probe to fail).
  if (!websocket_.probe_answered()) polling_.flush();
}

// ---------------------------------------------------------------------------------------------
// Packets

void Session::handle_packet(PacketType type, std::string_view data, bool binary) {
  switch (type) {
    case PacketType::Message:
      deliver(data, binary);
      return;
    case PacketType::Pong:
      on_pong();
      return;
    case PacketType::Ping:
      // In protocol v4 only the server pings.
      close_now("transport error");
      return;
    case PacketType::Close:
      close_now("transport close", PacketType::Noop);
      return;
    case PacketType::Open:
    case PacketType::Upgrade:
    case PacketType::Noop:
      return;
  }
}

void Session::deliver(std::string_view data, bool binary) {
  if (listener_) {
    listener_->on_message(data, binary);
    return;
  }
  early_messages_.push_back({std::string(data), binary});
}

// ---------------------------------------------------------------------------------------------
// Heartbeat

void Session::schedule_ping() {
  awaiting_pong_ = false;
  const auto generation = ++timer_generation_;
  timer_.expires_after(context_->options.ping_interval);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    if (!ec) self->on_heartbeat(generation);
  });
}

void Session::on_heartbeat(std::uint64_t generation) {
  if (generation != timer_generation_ || state_ != State::Open) return;
  if (awaiting_pong_) {
    close_now("ping timeout");
    return;
  }
  send_packet(ping_packet(), false);
  awaiting_pong_ = true;
  const auto next = ++timer_generation_;
  timer_.expires_after(context_->options.ping_timeout);
  timer_.async_wait([self = shared_from_this(), next](const boost::system::error_code& ec) {
    if (!ec) self->on_heartbeat(next);
  });
}

void Session::on_pong() {
  if (awaiting_pong_) schedule_ping();
}

// ---------------------------------------------------------------------------------------------
// WebSocket and upgrade

void Session::on_upgrade(std::shared_ptr<net::WebSocket> ws) {
  if (state_ != State::Open || on_websocket_.load() || websocket_.probing()) {
    ws->close(1000);  // Node closes a second or late upgrade attempt the same way
    return;
  }
  const net::WebSocket* probe = ws.get();
  websocket_.start_probe(std::move(ws), std::make_shared<WsListener>(weak_from_this(), probe),
                         context_->options.upgrade_timeout,
                         [weak = weak_from_this()](const net::WebSocket* probe) {
                           auto self = weak.lock();
                           if (self && self->websocket_.is_probe(probe)) self->abandon_upgrade();
                         });
}

void Session::on_ws_message(const net::WebSocket* ws, std::string_view payload, bool binary) {
  if (websocket_.is_probe(ws)) {
    on_probe_message(payload, binary);
    return;
  }
  if (!websocket_.is_socket(ws) || state_ != State::Open) return;
  if (payload.size() > context_->options.max_payload) {
    close_now("transport error", PacketType::Close, 1009);
    return;
  }
  auto packet = decode_packet(payload, binary);
  if (!packet) {
    close_now("parse error");
    return;
  }
  handle_packet(packet->type, packet->data, packet->binary);
}

void Session::on_probe_message(std::string_view payload, bool binary) {
  if (!binary && payload == "2probe") {
    websocket_.answer_probe();
    // Make the client's pending GET return so that its polling transport can pause.
    polling_.answer(PacketType::Noop);
    return;
  }
  if (!binary && payload == "5" && websocket_.probe_answered()) {
    complete_upgrade();
    return;
  }
  abandon_upgrade();
}

void Session::complete_upgrade() {
  websocket_.promote_probe();
  on_websocket_.store(true, std::memory_order_release);
  // The polling transport is discarded; a GET still pending gets a noop.
  polling_.answer(PacketType::Noop);
  for (auto& p : polling_.take_buffer()) websocket_.send(std::move(p.bytes), p.binary);
  if (state_ == State::Closing) {
    websocket_.close(1000);
    finalize();
  }
}

void Session::abandon_upgrade() {
  if (!websocket_.probing()) return;
  websocket_.drop_probe(true);
  // Packets held back during the probe go out on polling again.
  if (!polling_.empty()) flush_poll();
}

void Session::on_ws_close(const net::WebSocket* ws) {
  if (websocket_.is_probe(ws)) {
    websocket_.drop_probe(false);
    if (!polling_.empty()) flush_poll();
    return;
  }
  if (!websocket_.is_socket(ws) || state_ == State::Closed) return;
  close_now(reason_for(websocket_.close_cause()));
}

// ---------------------------------------------------------------------------------------------
// Closing

void Session::begin_close() {
  if (state_ != State::Open) return;
  notify_close("forced close");
  if (websocket_.open()) {
    // Queued packets are already in the socket's queue; the close frame follows them.
    state_ = State::Closing;
    websocket_.close(1000);
    finalize();
    return;
  }
  state_ = State::Closing;
  if (polling_.waiting() && !websocket_.probe_answered()) {
    flush_poll();
    return;
  }
  // Wait (bounded) for the GET that will carry the close packet.
  const auto generation = ++timer_generation_;
  timer_.expires_after(context_->options.close_timeout);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    if (!ec && generation == self->timer_generation_) self->finalize();
  });
}

void Session::shutdown() {
  if (state_ == State::Closed) return;
  if (state_ == State::Open && !websocket_.open() && !polling_.waiting()) {
    // Between two polls: the close packet waits for the next GET (begin_close), as Node does;
    // ending the session now would answer that GET "Session ID unknown".
    notify_close("server shutting down");
    return begin_close();
  }
  close_now("server shutting down", PacketType::Close, 1001);
}

void Session::abandon() {
  state_ = State::Closed;
  notified_ = true;
  listener_.reset();
  early_messages_.clear();
  polling_.forget_get();
  polling_.clear();
  websocket_.release();
}

void Session::close_now(std::string_view reason, PacketType poll_answer, std::uint16_t ws_code) {
  if (state_ == State::Closed) return;
  notify_close(reason);
  polling_.answer(poll_answer);
  websocket_.close(ws_code);
  finalize();
}

void Session::finalize() {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  ++timer_generation_;
  timer_.cancel();
  websocket_.drop_probe(true);
  polling_.answer(PacketType::Close);
  polling_.clear();
  early_messages_.clear();
  context_->sessions.erase(id_, this);
}

void Session::notify_close(std::string_view reason) {
  if (notified_) return;
  notified_ = true;
  close_reason_ = reason;
  // Reported from a fresh handler, so the listener is never re-entered from its own call; the
  // reference to it is dropped (it usually refers back to this session).
  if (auto listener = std::move(listener_)) {
    asio::post(io_, [listener = std::move(listener), reason = std::string(reason)] {
      listener->on_close(reason);
    });
  }
}

}  // namespace cz::engineio
