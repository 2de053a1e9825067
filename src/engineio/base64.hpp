#pragma once
// Standard base64 (RFC 4648, with padding): binary Engine.IO packets travel this way in
// long-polling payloads ("b" + base64).
#include <optional>
#include <string>
#include <string_view>

namespace cz::engineio {

// Appends the base64 form of `bytes` to `out`.
void base64_encode_append(std::string& out, std::string_view bytes);
std::string base64_encode(std::string_view bytes);

// Decodes padded or unpadded base64; nullopt on any character outside the alphabet, misplaced
// padding or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace cz::engineio
