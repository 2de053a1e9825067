#pragma once
// Base64 (standard, padded) and base64url (unpadded, for JWT) encoders.
#include <string>
#include <string_view>

namespace cz::loadgen {

std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);

}  // namespace cz::loadgen
