#include "util/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace cz::utf8 {
namespace {

// The length of the well-formed sequence at `p` (1 to 4), or 0 when it is ill-formed; then
// `*bad` is how many bytes make up the maximal invalid subpart to replace (at least 1).
std::size_t sequence_at(const unsigned char* p, const unsigned char* end, std::size_t* bad) {
  const unsigned char c = *p;
  if (c < 0x80) return 1;
  std::size_t len;
  unsigned char min2 = 0x80, max2 = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) min2 = 0xA0;  // overlong
    if (c == 0xED) max2 = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) min2 = 0x90;  // overlong
    if (c == 0xF4) max2 = 0x8F;  // above U+10FFFF
  } else {
    *bad = 1;  // a continuation byte first, C0/C1 (overlong), F5..FF
    return 0;
  }
  const std::size_t available = static_cast<std::size_t>(end - p);
  std::size_t i = 1;
  for (; i < len && i < available; ++i) {
    const unsigned char lo = i == 1 ? min2 : 0x80;
    const unsigned char hi = i == 1 ? max2 : 0xBF;
    if (p[i] < lo || p[i] > hi) break;
  }
  if (i == len) return len;
  *bad = i;
  return 0;
}

}  // namespace

bool is_valid(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Eight ASCII bytes at a time: most chat text and every packet header is ASCII.
    if (end - p >= 8) {
      std::uint64_t eight;
      std::memcpy(&eight, p, 8);
      if ((eight & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    std::size_t bad = 0;
    const std::size_t n = sequence_at(p, end, &bad);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

bool repair(std::string& text) {
  if (is_valid(text)) return false;
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size() + 8);
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* p = begin;
  const auto* end = p + text.size();
  while (p < end) {
    std::size_t bad = 0;
    const std::size_t n = sequence_at(p, end, &bad);
    if (n) {
      out.append(reinterpret_cast<const char*>(p), n);
      p += n;
    } else {
      out.append(kReplacement);
      p += bad;
    }
  }
  text.swap(out);
  return true;
}

}  // namespace cz::utf8
