#include "jwt.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base64.hpp"
#include "json_text.hpp"

namespace cz::loadgen {

std::string mint_hs256_token(std::string_view secret, std::string_view user_id,
                             std::string_view role, std::int64_t issued_at_s,
                             std::int64_t lifetime_s) {
  std::string claims = "{\"sub\":";
  append_json_string(claims, user_id);
  claims += ",\"role\":";
  append_json_string(claims, role);
  claims += ",\"iat\":" + std::to_string(issued_at_s);
  claims += ",\"exp\":" + std::to_string(issued_at_s + lifetime_s) + "}";

  std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += base64url_encode(claims);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &mac_size);
  token += '.';
  token += base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
  return token;
}

}  // namespace cz::loadgen
