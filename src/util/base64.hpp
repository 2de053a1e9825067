#pragma once
// Base64 (RFC 4648), both alphabets, pure functions:
// - standard, padded: binary Engine.IO packets in long-polling payloads ("b" + base64);
// - url-safe, unpadded: JWT segments, and the random session and socket ids that travel in
//   query strings and double as room names.
#include <optional>
#include <string>
#include <string_view>

namespace cz::base64 {

// Appends the padded standard form of `bytes` to `out`.
void encode_append(std::string& out, std::string_view bytes);
std::string encode(std::string_view bytes);

// Decodes padded or unpadded standard base64; nullopt on any character outside the alphabet,
// misplaced padding or an impossible length.
std::optional<std::string> decode(std::string_view text);

// The url-safe alphabet ('-' and '_'), no padding.
std::string url_encode(std::string_view bytes);

// Strict: only the url-safe alphabet, no padding, no whitespace, and no unused bits set in the
// last character, so that every value has exactly one accepted spelling (a JWT signature cannot
// be re-spelled to slip past a cache or a deny list).
std::optional<std::string> url_decode(std::string_view text);

}  // namespace cz::base64
