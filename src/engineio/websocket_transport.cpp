#include "engineio/websocket_transport.hpp"

#include "engineio/packet.hpp"

namespace cz::engineio {

void WebSocketTransport::attach(std::shared_ptr<net::WebSocket> ws,
                                std::shared_ptr<net::WebSocketListener> listener) {
  socket_ = std::move(ws);
  socket_->start(std::move(listener));
}

void WebSocketTransport::close(std::uint16_t code) {
  if (socket_) socket_->close(code);
}

void WebSocketTransport::start_probe(std::shared_ptr<net::WebSocket> ws,
                                     std::shared_ptr<net::WebSocketListener> listener,
                                     std::chrono::milliseconds timeout,
                                     std::function<void(const net::WebSocket* probe)> on_timeout) {
  probe_ = std::move(ws);
  probe_answered_ = false;
  probe_->start(std::move(listener));
  upgrade_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  upgrade_timer_->expires_after(timeout);
  upgrade_timer_->async_wait([on_timeout = std::move(on_timeout),
                              probe = probe_.get()](const boost::system::error_code& ec) {
    if (!ec) on_timeout(probe);
  });
}

void WebSocketTransport::answer_probe() {
  probe_->send(make_buffer(encode_packet(PacketType::Pong, "probe")), false);
  probe_answered_ = true;
}

void WebSocketTransport::promote_probe() {
  upgrade_timer_.reset();
  socket_ = std::move(probe_);
  probe_answered_ = false;
}

void WebSocketTransport::drop_probe(bool close_it) {
  if (!probe_) return;
  upgrade_timer_.reset();
  if (close_it) probe_->close(1000);
  probe_.reset();
  probe_answered_ = false;
}

void WebSocketTransport::release() {
  probe_.reset();
  socket_.reset();
  upgrade_timer_.reset();
}

}  // namespace cz::engineio
