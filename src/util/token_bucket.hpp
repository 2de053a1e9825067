#pragma once
// A token bucket small enough to live in every connection (8 bytes): `burst` tokens at most,
// refilled at `per_second`. The rate is passed in rather than stored, since every connection of
// one server shares it.
#include <algorithm>
#include <chrono>
#include <cstdint>

namespace cz {

struct TokenRate {
  double per_second = 0;  // 0: unlimited
  double burst = 0;       // bucket size; at least 1 when limiting
  bool unlimited() const { return per_second <= 0; }
};

// Milliseconds of the steady clock, truncated to 32 bits: a bucket only ever needs the time
// since its last use, and unsigned subtraction stays right across the wrap (every 49 days).
inline std::uint32_t steady_ms32() {
  using namespace std::chrono;
  return static_cast<std::uint32_t>(
      duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

class TokenBucket {
 public:
  // Takes one token if there is one. A new bucket starts full.
  bool take(const TokenRate& rate, std::uint32_t now_ms) {
    if (rate.unlimited()) return true;
    refill(rate, now_ms);
    if (tokens_ < 1.0f) return false;
    tokens_ -= 1.0f;
    return true;
  }
  // Tokens left (after refilling to `now_ms`).
  double available(const TokenRate& rate, std::uint32_t now_ms) {
    refill(rate, now_ms);
    return tokens_;
  }

 private:
  void refill(const TokenRate& rate, std::uint32_t now_ms) {
    const float burst = static_cast<float>(std::max(rate.burst, 1.0));
    if (tokens_ < 0) {  // first use
      tokens_ = burst;
    } else {
      const std::uint32_t elapsed = now_ms - last_ms_;
      tokens_ = std::min(burst, tokens_ + static_cast<float>(elapsed * rate.per_second / 1000.0));
    }
    last_ms_ = now_ms;
  }

  float tokens_ = -1;  // negative: never used, full
  std::uint32_t last_ms_ = 0;
};

}  // namespace cz
