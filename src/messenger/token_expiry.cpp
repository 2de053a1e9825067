#include "messenger/token_expiry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "util/time.hpp"

namespace cz::messenger {
namespace {

constexpr const char* kExpiredReply = R"({"status":false,"reason":"token expired"})";

void on_expiry_timer(const std::weak_ptr<socketio::Socket>& weak) {
  auto socket = weak.lock();
  if (!socket || !socket->connected()) return;
  Identity* me = identity_of(*socket);
  if (!me || me->token_expires_ms == 0) return;
  // The identity, not the timer, is the authority: verify_user may have moved the deadline after
  // this wait had already completed (a completed wait cannot be cancelled), and far deadlines are
  // reached in capped steps.
  if (me->token_expires_ms > now_ms()) return arm_token_expiry(*socket, *me);
  spdlog::debug("messenger: token of {} expired, disconnecting socket {}", me->user_id,
                socket->id());
  socket->emit("verify_user", std::string(kExpiredReply));
  socket->disconnect();
}

}  // namespace

std::int64_t token_deadline_ms(std::optional<std::int64_t> exp, std::chrono::seconds leeway) {
  if (!exp) return 0;
  // Saturate instead of overflowing on absurd (yet signature-valid) exp values.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000 - 1;
  const std::int64_t seconds =
      *exp > kMaxSeconds - leeway.count() ? kMaxSeconds : *exp + leeway.count();
  return std::max<std::int64_t>(seconds, 1) * 1000;
}

void arm_token_expiry(socketio::Socket& socket, Identity& identity) {
  if (identity.token_expires_ms == 0) {
    if (identity.expiry_timer) identity.expiry_timer->cancel();
    return;
  }
  if (!identity.expiry_timer)
    identity.expiry_timer = std::make_shared<boost::asio::steady_timer>(socket.executor());
  // steady_timer counts nanoseconds: far deadlines are reached in steps of at most a day.
  constexpr std::int64_t kMaxDelayMs = 24LL * 3600 * 1000;
  const std::int64_t delay_ms =
      std::clamp<std::int64_t>(identity.token_expires_ms - now_ms(), 0, kMaxDelayMs);
  identity.expiry_timer->expires_after(std::chrono::milliseconds(delay_ms));
  identity.expiry_timer->async_wait(
      [weak = std::weak_ptr<socketio::Socket>(socket.shared_from_this())](
          const boost::system::error_code& ec) {
        if (!ec) on_expiry_timer(weak);
      });
}

}  // namespace cz::messenger
