#include "engineio/session.hpp"

#include <boost/asio/post.hpp>

#include "engineio/http_errors.hpp"
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
    case C::slow_client:
      return "slow client";
    case C::shutdown:
      return "server shutting down";
    case C::local:
      return "forced close";
    case C::remote:
      return "transport close";
    case C::none:
    case C::protocol_error:
    case C::too_big:
    case C::io_error:
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
      timer_(io_) {}

Session::~Session() = default;

// ---------------------------------------------------------------------------------------------
// Connection

void Session::set_listener(std::shared_ptr<ConnectionListener> listener) {
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
  poll_ = std::move(handshake_get);
  buffer_.push_back(
      {make_buffer(open_packet(o, id_, o.allow_websocket && o.allow_upgrades)), false});
  context_->acceptor.on_connection(shared_from_this());
  schedule_ping();
  // The handshake response carries the open packet and whatever on_connection queued.
  flush_poll();
}

void Session::open_websocket(std::shared_ptr<net::WebSocket> ws) {
  ws_ = std::move(ws);
  websocket_.store(true, std::memory_order_release);
  ws_->start(std::make_shared<WsListener>(weak_from_this(), ws_.get()));
  ws_->send(make_buffer(open_packet(context_->options, id_, false)), false);
  context_->acceptor.on_connection(shared_from_this());
  schedule_ping();
}

// ---------------------------------------------------------------------------------------------
// Polling

void Session::respond(const std::shared_ptr<net::HttpExchange>& exchange, net::Response response) {
  context_->cors.apply(exchange->request(), response);
  exchange->respond(std::move(response));
}

void Session::respond_payload(std::shared_ptr<net::HttpExchange> exchange, std::string body) {
  net::Response res{http::status::ok, exchange->request().version()};
  res.set(http::field::content_type, "text/plain; charset=UTF-8");
  res.keep_alive(exchange->request().keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  respond(exchange, std::move(res));
}

void Session::on_poll(std::shared_ptr<net::HttpExchange> get) {
  if (state_ == State::closed) {
    respond(get, make_error_response(get->request(), ErrorCode::unknown_sid, false));
    return;
  }
  if (websocket_.load()) {
    respond(get, make_error_response(get->request(), ErrorCode::bad_request, false));
    return;
  }
  if (poll_) {
    // Two GETs at once: the client is broken (or hostile); Node ends the session.
    respond(get, make_error_response(get->request(), ErrorCode::bad_request, false));
    close_now("transport error");
    return;
  }
  poll_ = std::move(get);
  if (state_ == State::closing) {
    flush_poll();  // carries the close packet, then the session ends
    return;
  }
  if (probe_ && probe_answered_) {
    // Upgrade in progress: release the client's polling loop at once so it can send "5".
    respond_payload(std::move(poll_), encode_packet(PacketType::noop));
    return;
  }
  if (!buffer_.empty()) flush_poll();
}

void Session::on_poll_aborted(const net::HttpExchange* get) {
  if (poll_.get() != get || state_ == State::closed) return;
  poll_.reset();
  close_now("transport error");
}

void Session::on_data(std::shared_ptr<net::HttpExchange> post) {
  if (state_ == State::closed) {
    respond(post, make_error_response(post->request(), ErrorCode::unknown_sid, false));
    return;
  }
  if (websocket_.load()) {
    respond(post, make_error_response(post->request(), ErrorCode::bad_request, false));
    return;
  }
  const std::string& body = post->request().body();
  if (body.size() > context_->options.max_payload) {
    net::Response res{http::status::payload_too_large, post->request().version()};
    res.keep_alive(false);
    respond(post, std::move(res));
    close_now("transport error");
    return;
  }
  auto packets = decode_payload(body, context_->options.max_payload);
  if (!packets) {
    respond(post, make_error_response(post->request(), ErrorCode::bad_request, false));
    close_now("parse error");
    return;
  }
  net::Response ok{http::status::ok, post->request().version()};
  // text/html, as Node answers, to keep some user agents from offering a download.
  ok.set(http::field::content_type, "text/html");
  ok.keep_alive(post->request().keep_alive());
  ok.body() = "ok";
  ok.prepare_payload();
  respond(post, std::move(ok));
  // The exchange is answered; the session goes on with its packets.
  auto self = shared_from_this();  // a packet may close (and untable) the session
  for (auto& p : *packets) {
    if (state_ != State::open) break;
    handle_packet(p.type, p.data, p.binary);
  }
}

void Session::send_packet(SharedBuffer bytes, bool binary) {
  if (state_ != State::open) return;
  if (ws_) {
    ws_->send(std::move(bytes), binary);
    return;
  }
  buffered_bytes_ += bytes->size();
  buffer_.push_back({std::move(bytes), binary});
  if (buffered_bytes_ > context_->options.max_buffered_bytes) {
    // The client does not come to fetch its packets; stop holding memory for it. (Safe with
    // the sender on the stack: the listener hears of it from a fresh handler.)
    buffer_.clear();
    buffered_bytes_ = 0;
    close_now("slow client");
    return;
  }
  schedule_poll_flush();
}

void Session::schedule_poll_flush() {
  if (!poll_ || flush_scheduled_) return;
  // Deferred: everything sent by the current handler goes out in one response.
  flush_scheduled_ = true;
  asio::post(io_, [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush_poll();
  });
}

void Session::flush_poll() {
  if (!poll_) return;
  if (state_ == State::closing) {
    // Last response: what is left, then the close packet.
    buffer_.push_back({make_buffer(encode_packet(PacketType::close)), false});
    respond_payload(std::move(poll_), encode_payload(buffer_));
    buffer_.clear();
    buffered_bytes_ = 0;
    finalize();
    return;
  }
  if (buffer_.empty() || probe_answered_) return;
  respond_payload(std::move(poll_), encode_payload(buffer_));
  buffer_.clear();
  buffered_bytes_ = 0;
}

// ---------------------------------------------------------------------------------------------
// Packets

void Session::handle_packet(PacketType type, std::string_view data, bool binary) {
  switch (type) {
    case PacketType::message:
      deliver(data, binary);
      return;
    case PacketType::pong:
      on_pong();
      return;
    case PacketType::ping:
      // In protocol v4 only the server pings.
      close_now("transport error");
      return;
    case PacketType::close:
      close_now("transport close", PacketType::noop);
      return;
    case PacketType::open:
    case PacketType::upgrade:
    case PacketType::noop:
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
  if (generation != timer_generation_ || state_ != State::open) return;
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
  if (state_ != State::open || websocket_.load() || probe_) {
    ws->close(1000);  // Node closes a second or late upgrade attempt the same way
    return;
  }
  probe_ = std::move(ws);
  probe_answered_ = false;
  probe_->start(std::make_shared<WsListener>(weak_from_this(), probe_.get()));
  upgrade_timer_ = std::make_unique<asio::steady_timer>(io_);
  upgrade_timer_->expires_after(context_->options.upgrade_timeout);
  upgrade_timer_->async_wait(
      [weak = weak_from_this(), probe = probe_.get()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || self->probe_.get() != probe) return;
        self->abandon_upgrade();
      });
}

void Session::on_ws_message(const net::WebSocket* ws, std::string_view payload, bool binary) {
  if (probe_ && ws == probe_.get()) {
    on_probe_message(payload, binary);
    return;
  }
  if (!ws_ || ws != ws_.get() || state_ != State::open) return;
  if (payload.size() > context_->options.max_payload) {
    close_now("transport error", PacketType::close, 1009);
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
    probe_->send(make_buffer(encode_packet(PacketType::pong, "probe")), false);
    probe_answered_ = true;
    // Make the client's pending GET return so that its polling transport can pause.
    if (poll_) respond_payload(std::move(poll_), encode_packet(PacketType::noop));
    return;
  }
  if (!binary && payload == "5" && probe_answered_) {
    complete_upgrade();
    return;
  }
  abandon_upgrade();
}

void Session::complete_upgrade() {
  upgrade_timer_.reset();
  ws_ = std::move(probe_);
  probe_answered_ = false;
  websocket_.store(true, std::memory_order_release);
  // The polling transport is discarded; a GET still pending gets a noop.
  if (poll_) respond_payload(std::move(poll_), encode_packet(PacketType::noop));
  for (auto& p : buffer_) ws_->send(std::move(p.bytes), p.binary);
  buffer_.clear();
  buffered_bytes_ = 0;
  if (state_ == State::closing) {
    ws_->close(1000);
    finalize();
  }
}

void Session::abandon_upgrade() {
  if (!probe_) return;
  upgrade_timer_.reset();
  probe_->close(1000);
  probe_.reset();
  probe_answered_ = false;
  // Packets held back during the probe go out on polling again.
  if (poll_ && !buffer_.empty()) flush_poll();
}

void Session::on_ws_close(const net::WebSocket* ws) {
  if (probe_ && ws == probe_.get()) {
    upgrade_timer_.reset();
    probe_.reset();
    probe_answered_ = false;
    if (poll_ && !buffer_.empty()) flush_poll();
    return;
  }
  if (!ws_ || ws != ws_.get() || state_ == State::closed) return;
  close_now(reason_for(ws_->close_cause()));
}

// ---------------------------------------------------------------------------------------------
// Closing

void Session::begin_close() {
  if (state_ != State::open) return;
  notify_close("forced close");
  if (ws_) {
    // Queued packets are already in the socket's queue; the close frame follows them.
    state_ = State::closing;
    ws_->close(1000);
    finalize();
    return;
  }
  state_ = State::closing;
  if (poll_ && !probe_answered_) {
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
  if (state_ == State::closed) return;
  close_now("server shutting down", PacketType::close, 1001);
}

void Session::abandon() {
  state_ = State::closed;
  notified_ = true;
  listener_.reset();
  early_messages_.clear();
  poll_.reset();
  probe_.reset();
  ws_.reset();
  upgrade_timer_.reset();
  buffer_.clear();
}

void Session::close_now(std::string_view reason, PacketType poll_answer, std::uint16_t ws_code) {
  if (state_ == State::closed) return;
  notify_close(reason);
  if (poll_) respond_payload(std::move(poll_), encode_packet(poll_answer));
  if (ws_) ws_->close(ws_code);
  finalize();
}

void Session::finalize() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  ++timer_generation_;
  timer_.cancel();
  upgrade_timer_.reset();
  if (probe_) {
    probe_->close(1000);
    probe_.reset();
  }
  if (poll_) respond_payload(std::move(poll_), encode_packet(PacketType::close));
  buffer_.clear();
  buffered_bytes_ = 0;
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
