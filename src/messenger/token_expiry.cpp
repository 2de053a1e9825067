#include "messenger/token_expiry.hpp"
#include "messenger/events.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "util/time.hpp"

namespace cz::messenger {
namespace {

constexpr const char* kExpiredReply = R"({"status":false,"reason":"token expired"})";
// steady_timer counts nanoseconds: far deadlines are reached in steps of at most a day.
constexpr std::int64_t kMaxDelayMs = 24LL * 3600 * 1000;

}  // namespace

struct TokenExpiry::Shard {
  explicit Shard(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
  ExpiryEntry::Queue queue;
  std::int64_t timer_at_ms = 0;  // what the timer waits for; 0: not armed
};

std::int64_t token_deadline_ms(std::optional<std::int64_t> exp, std::chrono::seconds leeway) {
  if (!exp) return 0;
  // Saturate instead of overflowing on absurd (yet signature-valid) exp values.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000 - 1;
  const std::int64_t seconds =
      *exp > kMaxSeconds - leeway.count() ? kMaxSeconds : *exp + leeway.count();
  return std::max<std::int64_t>(seconds, 1) * 1000;
}

TokenExpiry::TokenExpiry(const std::vector<boost::asio::any_io_executor>& shards) {
  for (const auto& executor : shards) shards_.push_back(std::make_unique<Shard>(executor));
}

TokenExpiry::~TokenExpiry() = default;

void TokenExpiry::arm(socketio::Socket& socket, Identity& identity) {
  cancel(identity);
  if (identity.token_expires_ms == 0) return;
  Shard& shard = *shards_.at(socket.shard());
  if (!identity.expiry) identity.expiry = std::make_shared<ExpiryEntry>();
  ExpiryEntry& entry = *identity.expiry;
  entry.queue = &shard.queue;
  entry.position = shard.queue.emplace(identity.token_expires_ms,
                                       ExpiryEntry::Queued{&entry, socket.shared_from_this()});
  if (shard.timer_at_ms == 0 || identity.token_expires_ms < shard.timer_at_ms) rearm(shard);
}

void TokenExpiry::cancel(Identity& identity) {
  if (!identity.expiry || !identity.expiry->queue) return;
  identity.expiry->queue->erase(identity.expiry->position);
  identity.expiry->queue = nullptr;
}

void TokenExpiry::rearm(Shard& shard) {
  if (shard.queue.empty()) {
    shard.timer.cancel();
    shard.timer_at_ms = 0;
    return;
  }
  const std::int64_t now = now_ms();
  const std::int64_t at = std::min(shard.queue.begin()->first, now + kMaxDelayMs);
  shard.timer_at_ms = at;
  shard.timer.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(at - now, 0)));
  // The shard outlives its pending wait: the Context (which owns this) outlives the event loops.
  shard.timer.async_wait([&shard](const boost::system::error_code& ec) {
    if (ec) return;  // re-armed, or shutting down
    shard.timer_at_ms = 0;
    expire_due(shard);
    rearm(shard);
  });
}

void TokenExpiry::expire_due(Shard& shard) {
  const std::int64_t now = now_ms();
  while (!shard.queue.empty() && shard.queue.begin()->first <= now) {
    ExpiryEntry::Queued due = std::move(shard.queue.begin()->second);
    shard.queue.erase(shard.queue.begin());
    auto socket = due.socket.lock();
    if (!socket) continue;  // gone without a disconnect: its entry went with it
    due.entry->queue = nullptr;
    if (!socket->connected()) continue;
    const Identity* me = identity_of(*socket);
    spdlog::debug("messenger: token of {} expired, disconnecting socket {}",
                  me ? me->user_id : std::string(), socket->id());
    socket->emit(event::kVerifyUser, std::string(kExpiredReply));
    socket->disconnect();
  }
}

}  // namespace cz::messenger
