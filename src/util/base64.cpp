#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace cz::base64 {
namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using DecodeTable = std::array<std::int8_t, 256>;

constexpr DecodeTable make_decode_table(std::string_view alphabet) {
  DecodeTable table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr DecodeTable kDecodeStandard = make_decode_table(kStandard);
constexpr DecodeTable kDecodeUrlSafe = make_decode_table(kUrlSafe);

// Three bytes -> four characters at a time; the tail gets two or three characters, then
// padding when `pad`.
void encode_with(std::string& out, std::string_view bytes, std::string_view alphabet, bool pad) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  out.reserve(out.size() + 4 * ((n + 2) / 3));
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (s[i] << 16) | (s[i + 1] << 8) | s[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = n - i;
  if (rest == 0) return;
  const std::uint32_t v = (s[i] << 16) | (rest == 2 ? s[i + 1] << 8 : 0);
  out.push_back(alphabet[(v >> 18) & 63]);
  out.push_back(alphabet[(v >> 12) & 63]);
  if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
  if (pad) out.append(rest == 1 ? "==" : "=");
}

// Decodes unpadded text; with `canonical`, leftover bits of the last character must be zero.
std::optional<std::string> decode_with(std::string_view text, const DecodeTable& table,
                                       bool canonical) {
  // A lone trailing character would carry only 6 bits: never a whole byte.
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (canonical && bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

void encode_append(std::string& out, std::string_view bytes) {
  encode_with(out, bytes, kStandard, true);
}

std::string encode(std::string_view bytes) {
  std::string out;
  encode_append(out, bytes);
  return out;
}

std::optional<std::string> decode(std::string_view text) {
  // Padding only at the end, at most two characters, and only where it completes a quantum.
  std::size_t pad = 0;
  while (!text.empty() && text.back() == '=' && pad < 2) {
    text.remove_suffix(1);
    ++pad;
  }
  if (pad > 0 && (text.size() + pad) % 4 != 0) return std::nullopt;
  return decode_with(text, kDecodeStandard, false);
}

std::string url_encode(std::string_view bytes) {
  std::string out;
  encode_with(out, bytes, kUrlSafe, false);
  return out;
}

std::optional<std::string> url_decode(std::string_view text) {
  return decode_with(text, kDecodeUrlSafe, true);
}

}  // namespace cz::base64
