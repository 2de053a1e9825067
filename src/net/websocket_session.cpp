#include "net/websocket_session.hpp"
#include "util/metrics.hpp"
#include "util/post_batch.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace cz::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

metrics::Counter& slow_websocket_clients() {
  static metrics::Counter& counter = metrics::registry().counter(
      metrics::kSlowClientsDropped, metrics::kSlowClientsDroppedHelp, {{"transport", "websocket"}});
  return counter;
}

// Reads go through one buffer per I/O thread, so an idle connection owns none.
constexpr std::size_t kScratchSize = 64 * 1024;
// Reads per readiness before yielding to other connections.
constexpr int kReadsPerTurn = 4;
// Buffers larger than this are given back once empty.
constexpr std::size_t kKeepCapacity = 16 * 1024;
constexpr std::size_t kKeepEntries = 64;

char* scratch() {
  thread_local std::unique_ptr<char[]> buffer(new char[kScratchSize]);
  return buffer.get();
}

}  // namespace

WebSocketSession::WebSocketSession(std::shared_ptr<ServerState> state, ShardId shard,
                                   asio::ip::tcp::socket socket, std::string handshake_response,
                                   std::string leftover)
    : state_(std::move(state)),
      shard_(shard),
      ctx_(state_->pool.context(shard)),
      socket_(std::move(socket)),
      parser_(state_->options.websocket_max_message),
      pending_(std::move(leftover)) {
  Entry e{};
  e.header_size = 0;
  e.is_close = false;
  queued_bytes_ = handshake_response.size();
  e.payload = make_buffer(std::move(handshake_response));
  queue_.push_back(std::move(e));
}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::begin() {
  error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  state_->add(shard_, shared_from_this());
  if (state_->stopping.load()) {
    shutdown();
    return;
  }
  flush();
}

void WebSocketSession::start(std::shared_ptr<WebSocketListener> listener) {
  if (started_) return;
  started_ = true;
  listener_ = std::move(listener);
  auto self = shared_from_this();
  if (finished_) {
    // Ended before anyone listened: still report it, once, as promised.
    asio::post(ctx_, [self, l = std::move(listener_)] { l->on_close(); });
    return;
  }
  // First read without waiting: bytes may already be buffered (or readiness already signalled,
  // which an edge-triggered reactor would not signal again).
  reading_ = true;
  asio::post(ctx_, [self] {
    self->reading_ = false;
    if (!self->pending_.empty()) {
      std::string bytes;
      bytes.swap(self->pending_);
      if (!self->consume(bytes.data(), bytes.size())) return;
    }
    self->read_available();
  });
}

void WebSocketSession::read_available() {
  if (finished_ || read_stopped_) return;
  char* buf = scratch();
  // What the frames of this read post to other threads leaves in one post per thread.
  util::PostBatch posts;
  for (int i = 0; i < kReadsPerTurn; ++i) {
    error_code ec;
    const std::size_t n = socket_.read_some(asio::buffer(buf, kScratchSize), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      wait_readable();
      return;
    }
    if (ec) {
      finish(ec == asio::error::eof ? CloseCause::Remote : CloseCause::IoError);
      return;
    }
    if (!consume(buf, n)) return;
    if (finished_ || read_stopped_) return;
    // A short read emptied the socket: wait for readiness rather than pay a read that returns
    // EAGAIN (async_wait re-arms epoll, which reports data that arrived since at once).
    if (n < kScratchSize) {
      wait_readable();
      return;
    }
  }
  // Still data to read: come back after others had their turn. Not async_wait: readiness was
  // already reported and would not be again.
  reading_ = true;
  asio::post(ctx_, [self = shared_from_this()] {
    self->reading_ = false;
    self->read_available();
  });
}

void WebSocketSession::wait_readable() {
  if (reading_) return;
  reading_ = true;
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](const error_code& ec) {
                       self->reading_ = false;
                       if (self->finished_) return;
                       if (ec) {
                         if (ec != asio::error::operation_aborted)
                           self->finish(CloseCause::IoError);
                         return;
                       }
                       self->read_available();
                     });
}

bool WebSocketSession::consume(char* data, std::size_t size) {
  ws::ParseResult r;
  if (pending_.empty()) {
    r = parser_.parse(data, size, *this);
    if (!r.error && !r.closed && r.consumed < size)
      pending_.assign(data + r.consumed, size - r.consumed);
  } else {
    pending_.append(data, size);
    r = parser_.parse(pending_.data(), pending_.size(), *this);
    pending_.erase(0, r.consumed);
    if (pending_.empty() && pending_.capacity() > kKeepCapacity) std::string().swap(pending_);
  }
  if (finished_) return false;
  if (r.error) {
    read_stopped_ = true;
    std::string().swap(pending_);
    send_close(r.error,
               r.error == ws::close_code::too_big ? CloseCause::TooBig : CloseCause::ProtocolError);
    return false;
  }
  if (r.closed) {
    read_stopped_ = true;
    std::string().swap(pending_);
    return false;
  }
  watch_fragments();
  return true;
}

void WebSocketSession::on_message(std::string_view payload, bool binary) {
  // After our close frame, RFC 6455 lets us ignore data until the peer's close.
  if (close_queued_ || finished_ || !listener_) return;
  listener_->on_message(payload, binary);
}

void WebSocketSession::on_ping(std::string_view payload) {
  if (close_queued_ || finished_ || !control_frame_allowed()) return;
  enqueue(ws::Opcode::Pong, make_buffer(std::string(payload)));
}

void WebSocketSession::on_pong(std::string_view) {
  control_frame_allowed();
}

void WebSocketSession::on_close(std::uint16_t code, std::string_view) {
  close_received_ = true;
  if (cause_ == CloseCause::None) cause_ = CloseCause::Remote;
  if (close_written_) {
    finish(cause_);
    return;
  }
  if (!close_queued_) {
    // Echo the peer's code (RFC 6455 5.5.1); a close without code is answered without one.
    close_queued_ = true;
    enqueue(ws::Opcode::Close,
            make_buffer(code == ws::close_code::no_status ? std::string()
                                                          : ws::encode_close_payload(code)));
  }
}

void WebSocketSession::send(SharedBuffer payload, bool binary) {
  if (!on_own_thread()) {
    util::post_to(ctx_.get_executor(),
                  [self = shared_from_this(), payload = std::move(payload), binary]() mutable {
                    self->send(std::move(payload), binary);
                  });
    return;
  }
  if (close_queued_ || finished_) return;
  enqueue(binary ? ws::Opcode::Binary : ws::Opcode::Text, std::move(payload));
}

void WebSocketSession::close(std::uint16_t code) {
  if (!on_own_thread()) {
    util::post_to(ctx_.get_executor(), [self = shared_from_this(), code] { self->close(code); });
    return;
  }
  send_close(code, CloseCause::Local);
}

void WebSocketSession::shutdown() {
  send_close(ws::close_code::going_away, CloseCause::Shutdown);
}

void WebSocketSession::send_close(std::uint16_t code, CloseCause cause) {
  if (finished_) return;
  if (cause_ == CloseCause::None) cause_ = cause;
  if (close_queued_) return;
  close_queued_ = true;
  enqueue(ws::Opcode::Close, make_buffer(ws::encode_close_payload(code)));
  arm_close_timer();
}

void WebSocketSession::arm_close_timer() {
  if (close_timer_ || finished_) return;
  close_timer_ = std::make_unique<asio::steady_timer>(ctx_);
  close_timer_->expires_after(state_->options.websocket_close_timeout);
  close_timer_->async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec) self->finish(self->cause_);
  });
}

void WebSocketSession::enqueue(ws::Opcode op, SharedBuffer payload) {
  Entry e;
  e.header_size =
      static_cast<std::uint8_t>(ws::encode_header(e.header.data(), op, payload->size()));
  e.is_close = op == ws::Opcode::Close;
  queued_bytes_ += e.header_size + payload->size();
  e.payload = std::move(payload);
  queue_.push_back(std::move(e));
  if (queued_bytes_ > state_->options.websocket_send_queue_limit) {
    // The peer does not read fast enough; holding more would let one client eat our memory.
    // Finished from a fresh handler: the caller (the listener itself, often) is on the stack.
    if (cause_ == CloseCause::None) cause_ = CloseCause::SlowClient;
    slow_websocket_clients().inc();
    close_queued_ = true;
    read_stopped_ = true;
    queue_.clear();
    asio::post(ctx_, [self = shared_from_this()] { self->finish(CloseCause::SlowClient); });
    return;
  }
  schedule_flush();
}

void WebSocketSession::schedule_flush() {
  if (writing_ || flush_scheduled_) return;
  // Deferred so that everything queued by the current handler (a burst of sends, a broadcast
  // fan-out) goes out in one write.
  flush_scheduled_ = true;
  asio::post(ctx_, [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

void WebSocketSession::flush() {
  if (writing_ || finished_ || queue_.empty()) return;
  inflight_.swap(queue_);
  buffers_.clear();
  buffers_.reserve(inflight_.size() * 2);
  for (const auto& e : inflight_) {
    if (e.header_size) buffers_.emplace_back(e.header.data(), e.header_size);
    if (!e.payload->empty()) buffers_.emplace_back(e.payload->data(), e.payload->size());
  }
  writing_ = true;
  asio::async_write(socket_, buffers_,
                    [self = shared_from_this()](const error_code& ec, std::size_t n) {
                      self->on_written(ec, n);
                    });
}

void WebSocketSession::on_written(const error_code& ec, std::size_t bytes) {
  writing_ = false;
  if (finished_) return;
  if (ec) {
    finish(CloseCause::IoError);
    return;
  }
  queued_bytes_ -= bytes;
  bool wrote_close = false;
  for (const auto& e : inflight_) wrote_close |= e.is_close;
  inflight_.clear();
  if (inflight_.capacity() > kKeepEntries) std::vector<Entry>().swap(inflight_);
  if (buffers_.capacity() > 2 * kKeepEntries) std::vector<asio::const_buffer>().swap(buffers_);
  if (wrote_close) {
    close_written_ = true;
    // Done when both sides said close, or when the peer will never say it (we stopped reading
    // after its protocol error or its close).
    if (close_received_ || read_stopped_) {
      finish(cause_);
      return;
    }
    wait_readable();  // for the peer's close frame (bounded by the close timer)
    return;
  }
  flush();
}

void WebSocketSession::finish(CloseCause cause) {
  if (finished_) return;
  finished_ = true;
  if (cause_ == CloseCause::None) cause_ = cause;
  error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_both, ec);
  socket_.close(ec);
  if (close_timer_) close_timer_->cancel();
  if (fragment_timer_) fragment_timer_->cancel();
  queue_.clear();
  std::string().swap(pending_);
  state_->remove(shard_, this);
  if (auto listener = std::move(listener_)) listener->on_close();
}

}  // namespace cz::net
