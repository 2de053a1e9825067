#pragma once
// Base64url (RFC 4648 §5) without padding, as JWTs use it. Pure functions.
#include <optional>
#include <string>
#include <string_view>

namespace cz::messenger {

// Strict decoding: only the url-safe alphabet, no padding, no whitespace, and no unused bits
// set in the last character (so that every encoded value has exactly one accepted spelling).
std::optional<std::string> base64url_decode(std::string_view text);

std::string base64url_encode(std::string_view bytes);

}  // namespace cz::messenger
