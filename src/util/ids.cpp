#include "util/ids.hpp"

#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

namespace cz {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::uint64_t kTimeMask = (std::uint64_t{1} << 48) - 1;

// Crockford base32 digit value of an upper-case character of kAlphabet; -1 otherwise.
int digit_value(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

// xoshiro256**: fast, good quality, not cryptographic (ids need uniqueness, not secrecy).
class Xoshiro256 {
 public:
  Xoshiro256() {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(s_), sizeof s_) != 1) seed_fallback();
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the all-zero state is a fixed point
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  void seed_fallback() {
    std::random_device rd;
    const auto clock = static_cast<std::uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
    const auto thread = std::hash<std::thread::id>{}(std::this_thread::get_id());
    for (auto& word : s_) word = (std::uint64_t{rd()} << 32 | rd()) ^ clock ^ thread;
  }
  std::uint64_t s_[4];
};

std::uint64_t random64() {
  thread_local Xoshiro256 rng;
  return rng.next();
}

// (ms << 16 | sequence) of the last id handed out by this process.
std::atomic<std::uint64_t> g_last_time_seq{0};

std::uint64_t next_time_seq(TimeMs now) {
  const std::uint64_t floor = (static_cast<std::uint64_t>(now < 0 ? 0 : now) & kTimeMask) << 16;
  std::uint64_t last = g_last_time_seq.load(std::memory_order_relaxed);
  std::uint64_t next;
  do {
    next = floor > last ? floor : last + 1;
  } while (!g_last_time_seq.compare_exchange_weak(last, next, std::memory_order_relaxed));
  return next;
}

// 128 bits (hi, lo) -> 26 base32 characters, most significant first.
std::string encode(std::uint64_t hi, std::uint64_t lo) {
  unsigned __int128 value = (static_cast<unsigned __int128>(hi) << 64) | lo;
  std::string out(kIdLength, '0');
  for (std::size_t i = kIdLength; i-- > 0;) {
    out[i] = kAlphabet[static_cast<unsigned>(value & 31)];
    value >>= 5;
  }
  return out;
}

}  // namespace

void advance_ids_past(std::string_view id) {
  if (!is_valid_id(id)) return;
  unsigned __int128 value = 0;
  for (char c : id) value = value << 5 | static_cast<unsigned>(digit_value(c));
  const auto time_seq = static_cast<std::uint64_t>(value >> 64);
  std::uint64_t last = g_last_time_seq.load(std::memory_order_relaxed);
  while (last < time_seq &&
         !g_last_time_seq.compare_exchange_weak(last, time_seq, std::memory_order_relaxed)) {
  }
}

GeneratedId generate_id() {
  return generate_id_at(now_ms());
}

GeneratedId generate_id_at(TimeMs now) {
  const std::uint64_t time_seq = next_time_seq(now);
  return {encode(time_seq, random64()), static_cast<TimeMs>(time_seq >> 16)};
}

std::string id_floor_for_time(TimeMs ms) {
  const std::uint64_t t = static_cast<std::uint64_t>(ms < 0 ? 0 : ms) & kTimeMask;
  return encode(t << 16, 0);
}

bool is_valid_id(std::string_view id) {
  if (id.size() != kIdLength) return false;
  const int first = digit_value(id[0]);
  if (first < 0 || first > 7) return false;
  for (char c : id.substr(1)) {
    if (digit_value(c) < 0) return false;
  }
  return true;
}

bool is_original_id(std::string_view id) {
  const auto all_of = [](std::string_view s, auto pred) {
    for (char c : s) {
      if (!pred(c)) return false;
    }
    return true;
  };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (id.size() == 24)
    return all_of(id, [&](char c) { return digit(c) || (c >= 'a' && c <= 'f'); });
  return id.size() >= 21 && id.size() <= 32 && id[0] == 'c' &&
         all_of(id.substr(1), [&](char c) { return digit(c) || (c >= 'a' && c <= 'z'); });
}

std::optional<TimeMs> id_timestamp(std::string_view id) {
  if (!is_valid_id(id)) return std::nullopt;
  // The first 10 characters carry bits 129..80: 2 leading zero bits, then the 48 bits of time.
  std::uint64_t time = 0;
  for (char c : id.substr(0, 10)) time = time << 5 | static_cast<std::uint64_t>(digit_value(c));
  return static_cast<TimeMs>(time);
}

}  // namespace cz
