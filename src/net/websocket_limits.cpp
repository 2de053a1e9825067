// The limits a WebSocket client is held to beyond the frame codec's (message size): a
// fragmented message cannot be held open forever, and control frames cannot be used to make us
// write without bound. Members of WebSocketSession, kept apart from its read/write path.
#include <spdlog/spdlog.h>

#include "net/websocket_session.hpp"

namespace cz::net {

// Disarmed = expiry at the clock's minimum (setting it also cancels the wait).
void WebSocketSession::watch_fragments() {
  constexpr auto kDisarmed = std::chrono::steady_clock::time_point::min();
  if (!parser_.assembling()) {
    if (fragment_timer_ && fragment_timer_->expiry() != kDisarmed)
      fragment_timer_->expires_at(kDisarmed);
    return;
  }
  if (!fragment_timer_)
    fragment_timer_ = std::make_unique<boost::asio::steady_timer>(ctx_, kDisarmed);
  else if (fragment_timer_->expiry() != kDisarmed)
    return;  // armed for the message in progress
  fragment_timer_->expires_after(state_->options.websocket_fragment_timeout);
  fragment_timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->finished_ || !self->parser_.assembling()) return;
    spdlog::debug("websocket: fragmented message not completed in time, closing");
    self->read_stopped_ = true;
    self->send_close(ws::close_code::policy_violation, CloseCause::ProtocolError);
  });
}

bool WebSocketSession::control_frame_allowed() {
  if (control_frames_.take(state_->options.websocket_control_rate, steady_ms32())) return true;
  if (!close_queued_) {
    spdlog::debug("websocket: too many control frames, closing");
    read_stopped_ = true;
    send_close(ws::close_code::policy_violation, CloseCause::ProtocolError);
  }
  return false;
}

}  // namespace cz::net
