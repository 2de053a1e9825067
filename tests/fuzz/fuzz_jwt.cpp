// The JWT parser and verifier (messenger/jwt, util/base64). Two kinds of input: raw
// tokens (checked by HS256, RS256 and ES256 verifiers), and tokens made of a fuzzed header and
// payload that the target signs with the HS256 secret, so that the fuzzer gets past the signature
// into the claims. Properties: a token is accepted only by the verifier of its algorithm, only
// when correctly signed, only within its exp/nbf (with the leeway); base64url decoding is exact
// and canonical.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>

#include "fuzz_check.hpp"
#include "messenger/jwt.hpp"
#include "util/base64.hpp"

namespace {

using namespace cz::messenger;

constexpr std::string_view kSecret = "fuzzing-secret";
constexpr std::int64_t kLeewaySeconds = 30;

// Public keys made for this target (the private halves were thrown away: no token signed with
// them exists, so these verifiers must refuse everything).
constexpr const char* kEcPublicKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExZ4M264v860ITn17wHXoEflPW2yW\n"
    "IlUipjfPMX2fGFo73hbYWZMFaHUkPse/k95tGLjyZARGPq4ijfSPxIyW9w==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kRsaPublicKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu6QoY/1xwva2MDeS8Tdc\n"
    "ng0Pyh+7aA3/d1S8qnBQ67WJgIsaq2jweEO7vukF0EQi1pwsBWF9vfsWpdA8ohCp\n"
    "mDBUFLP0bNcfizGRR/NsTvX2sNPFwpZ36a9DN3TYg5c5iDO6m1gXjEYtJzJgG/91\n"
    "6QoXJhJ5N/rvpn0EIERfuRlT3XWo5dYKZajDSMvBbm1RdkFfFuUzurXkb6IkhwJJ\n"
    "oZbn0lmtib8eC1YdqEPcE2pjgZQ8kF6ho0EImIMMDF2c345o2mW0uXBn0HxL+RlU\n"
    "4ICeNdsxGudpfqJS/INSwCAQ6Ak3VZSKn1GxHnSqICMxvGRVzRnUdOy/c9qNTaV7\n"
    "aQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

struct Verifiers {
  std::unique_ptr<JwtVerifier> hs256, other_secret, rs256, es256;
};

const Verifiers& verifiers() {
  static const Verifiers v = [] {
    Verifiers out;
    JwtOptions o;
    o.leeway = std::chrono::seconds(kLeewaySeconds);
    o.max_token_bytes = 2048;
    o.hs256_secret = std::string(kSecret);
    out.hs256 = std::make_unique<JwtVerifier>(o);
    o.hs256_secret = "another-secret";
    out.other_secret = std::make_unique<JwtVerifier>(o);
    o.hs256_secret.clear();
    o.public_key_pem = kRsaPublicKey;
    out.rs256 = std::make_unique<JwtVerifier>(o);
    o.public_key_pem = kEcPublicKey;
    out.es256 = std::make_unique<JwtVerifier>(o);
    return out;
  }();
  return v;
}

std::string hs256(std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return std::string(reinterpret_cast<const char*>(mac), len);
}

void check_base64url(std::string_view text) {
  FUZZ_CHECK(cz::base64::url_decode(cz::base64::url_encode(text)) == std::string(text));
  if (auto bytes = cz::base64::url_decode(text)) FUZZ_CHECK(cz::base64::url_encode(*bytes) == text);
}

// An accepted token's time claims hold at `now` (computed without overflow).
void check_times(const JwtClaims& claims, cz::TimeMs now) {
  const __int128 now_s = now / 1000;
  if (claims.exp) FUZZ_CHECK(now_s < static_cast<__int128>(*claims.exp) + kLeewaySeconds);
  if (claims.nbf) FUZZ_CHECK(now_s + kLeewaySeconds >= *claims.nbf);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& v = verifiers();
  FuzzedDataProvider input(data, size);
  const auto now = input.ConsumeIntegral<cz::TimeMs>();
  if (input.ConsumeBool()) {
    // A raw token: no verifier may accept it unless it is a correctly signed HS256 token.
    const std::string token = input.ConsumeRemainingBytesAsString();
    check_base64url(token);
    FUZZ_CHECK(!v.rs256->verify(token, now).ok());
    FUZZ_CHECK(!v.es256->verify(token, now).ok());
    if (auto claims = v.hs256->verify(token, now)) {
      FUZZ_CHECK(!v.other_secret->verify(token, now).ok());
      check_times(*claims, now);
    }
    return 0;
  }
  // A token signed with the secret: header and payload are the fuzzer's.
  const std::string header = input.ConsumeRandomLengthString(256);
  const std::string payload = input.ConsumeRandomLengthString(512);
  const std::string user_id = input.ConsumeRandomLengthString(32);
  const std::string role = input.ConsumeRemainingBytesAsString();
  const std::string signing_input =
      cz::base64::url_encode(header) + "." + cz::base64::url_encode(payload);
  const std::string token = signing_input + "." + cz::base64::url_encode(hs256(signing_input));
  auto claims = v.hs256->verify(token, now);
  if (claims) {
    check_times(*claims, now);
    FUZZ_CHECK(!v.other_secret->verify(token, now).ok());
    FUZZ_CHECK(!v.rs256->verify(token, now).ok());
    FUZZ_CHECK(!v.es256->verify(token, now).ok());
  }
  if (auto user = v.hs256->verify_user(token, user_id, role, now)) {
    FUZZ_CHECK(claims.ok());
    FUZZ_CHECK(!user->sub.empty() && user->sub == user_id);
  }
  // The same token with its signature cut short is refused.
  FUZZ_CHECK(!v.hs256->verify(token.substr(0, token.size() - 1), now).ok() || token.empty());
  return 0;
}
