#pragma once
// Per-socket event rate limit: one abusive client must not take the store's capacity (or the
// I/O thread) from everyone else. Each socket has a token bucket of events; an event without a
// token is refused with RATE_LIMITED; a socket that keeps sending without tokens uses up its
// patience (a second bucket, refilled at the same rate) and is disconnected.
#include <cstddef>
#include <cstdint>

#include "util/token_bucket.hpp"

namespace cz::messenger {

struct RateLimits {
  // --event-rate (per second; 0: no limit) and --event-burst.
  TokenRate events{50, 200};
  // --max-refused-events: refusals (forgiven at the event rate) before the connection is
  // closed. 0: never closed for it.
  std::size_t max_refused = 200;
  // --max-sockets-per-user: /messenger sockets one user may have on this node. 0: no cap.
  std::size_t max_sockets_per_user = 32;
};

class EventRateLimiter {
 public:
  enum class Verdict { Allow, Refuse, Disconnect };
  Verdict check(const RateLimits& limits, std::uint32_t now_ms);

 private:
  TokenBucket events_;
  TokenBucket patience_;
};

}  // namespace cz::messenger
