// Tokens are minted here with OpenSSL (HMAC, RSA and P-256 keys generated per test run), so the
// verifier is checked against independently produced signatures, not against itself.
#include "messenger/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "util/base64.hpp"

namespace cz::messenger {
namespace {

constexpr TimeMs kNow =
    1'800'000'000'000;  // a fixed "now" (2027) so that tests do not race the clock
constexpr std::int64_t kNowS = kNow / 1000;
const std::string kSecret = "test-secret-of-reasonable-length";

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey generate_rsa() {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
}
Pkey generate_p256() {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return pem;
}

std::string digest_sign(EVP_PKEY* key, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

// OpenSSL gives DER; a JWT carries r||s, each left-padded to 32 bytes.
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string hmac(const std::string& key, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string signing_input(const std::string& header, const std::string& payload) {
  return base64::url_encode(header) + "." + base64::url_encode(payload);
}

std::string hs256(const std::string& payload, const std::string& key = kSecret,
                  const std::string& header = R"({"alg":"HS256","typ":"JWT"})") {
  const auto input = signing_input(header, payload);
  return input + "." + base64::url_encode(hmac(key, input));
}

std::string rs256(EVP_PKEY* key, const std::string& payload) {
  const auto input = signing_input(R"({"alg":"RS256","typ":"JWT"})", payload);
  return input + "." + base64::url_encode(digest_sign(key, input));
}

std::string es256(EVP_PKEY* key, const std::string& payload) {
  const auto input = signing_input(R"({"alg":"ES256","typ":"JWT"})", payload);
  return input + "." + base64::url_encode(der_to_raw(digest_sign(key, input)));
}

std::string claims(const std::string& sub, std::int64_t exp_offset = 3600,
                   const std::string& extra = "") {
  return R"({"sub":")" + sub + R"(","iat":)" + std::to_string(kNowS) + R"(,"exp":)" +
         std::to_string(kNowS + exp_offset) + extra + "}";
}

JwtOptions secret_options() {
  JwtOptions o;
  o.hs256_secret = kSecret;
  return o;
}

std::string reason(const Result<JwtClaims>& r) {
  return r.ok() ? "ok" : r.error().message;
}

TEST(Jwt, AcceptsAValidHs256Token) {
  JwtVerifier v(secret_options());
  const auto r =
      v.verify_user(hs256(claims("u1", 3600, R"(,"role":"BUYER")")), "u1", "BUYER", kNow);
  ASSERT_TRUE(r.ok()) << reason(r);
  EXPECT_EQ(r->sub, "u1");
  EXPECT_EQ(r->role, std::optional<std::string>("BUYER"));
  EXPECT_EQ(r->exp, kNowS + 3600);
}

TEST(Jwt, TokenWithoutRoleClaimFitsEitherRole) {
  JwtVerifier v(secret_options());
  EXPECT_TRUE(v.verify_user(hs256(claims("u1")), "u1", "SELLER", kNow).ok());
  EXPECT_TRUE(
      v.verify_user(hs256(claims("u1", 3600, R"(,"role":"seller")")), "u1", "SELLER", kNow).ok());
}

TEST(Jwt, RefusesExpiredTokensBeyondTheLeeway) {
  JwtOptions o = secret_options();
  o.leeway = std::chrono::seconds(30);
  JwtVerifier v(o);
  EXPECT_EQ(reason(v.verify(hs256(claims("u1", -31)), kNow)), "token expired");
  EXPECT_EQ(reason(v.verify(hs256(claims("u1", -3600)), kNow)), "token expired");
  EXPECT_TRUE(v.verify(hs256(claims("u1", -10)), kNow).ok()) << "inside the leeway";
}

// Found by reading the parser for fuzz_jwt.cpp (before the target first ran): exp + leeway
// overflowed for exp near INT64_MAX, and the wrapped sum made a token that never expires read as
// expired.
TEST(Jwt, TimeClaimsAtTheEndsOfTheRangeDoNotOverflow) {
  JwtVerifier v(secret_options());
  const std::string max = std::to_string(std::numeric_limits<std::int64_t>::max());
  const std::string min = std::to_string(std::numeric_limits<std::int64_t>::min());
  EXPECT_TRUE(v.verify(hs256(R"({"sub":"u1","exp":)" + max + "}"), kNow).ok());
  EXPECT_EQ(reason(v.verify(hs256(R"({"sub":"u1","exp":)" + min + "}"), kNow)), "token expired");
  EXPECT_TRUE(v.verify(hs256(R"({"sub":"u1","nbf":)" + min + "}"), kNow).ok());
  EXPECT_EQ(reason(v.verify(hs256(R"({"sub":"u1","nbf":)" + max + "}"), kNow)),
            "token not yet valid");
  const TimeMs far_future = std::numeric_limits<TimeMs>::max();
  EXPECT_EQ(reason(v.verify(hs256(R"({"sub":"u1","exp":)" + max + "}"), far_future)), "ok");
}

TEST(Jwt, RefusesTokensNotYetValid) {
  JwtVerifier v(secret_options());
  const auto future = ",\"nbf\":" + std::to_string(kNowS + 600);
  EXPECT_EQ(reason(v.verify(hs256(claims("u1", 3600, future)), kNow)), "token not yet valid");
  const auto soon = ",\"nbf\":" + std::to_string(kNowS + 5);
  EXPECT_TRUE(v.verify(hs256(claims("u1", 3600, soon)), kNow).ok()) << "inside the leeway";
}

TEST(Jwt, RefusesAWrongSecret) {
  JwtVerifier v(secret_options());
  EXPECT_EQ(reason(v.verify(hs256(claims("u1"), "another-secret"), kNow)), "bad signature");
}

TEST(Jwt, RefusesATamperedPayload) {
  JwtVerifier v(secret_options());
  const auto token = hs256(claims("u1"));
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  const auto forged =
      token.substr(0, dot1 + 1) + base64::url_encode(claims("admin")) + token.substr(dot2);
  EXPECT_EQ(reason(v.verify(forged, kNow)), "bad signature");
}

TEST(Jwt, RefusesAlgNone) {
  JwtVerifier v(secret_options());
  const auto input = signing_input(R"({"alg":"none","typ":"JWT"})", claims("u1"));
  EXPECT_EQ(reason(v.verify(input + ".", kNow)), "algorithm not allowed");
  EXPECT_EQ(reason(v.verify(input + "." + base64::url_encode("x"), kNow)), "algorithm not allowed");
}

TEST(Jwt, RefusesAlgorithmsThatAreNotConfigured) {
  JwtVerifier v(secret_options());
  const auto input = signing_input(R"({"alg":"HS512"})", claims("u1"));
  EXPECT_EQ(reason(v.verify(input + "." + base64::url_encode(hmac(kSecret, input)), kNow)),
            "algorithm not allowed");
  auto rsa = generate_rsa();
  EXPECT_EQ(reason(v.verify(rs256(rsa.get(), claims("u1")), kNow)), "algorithm not allowed");
}

TEST(Jwt, RefusesHs256SignedWithThePublicKeyWhenOnlyAKeyIsConfigured) {
  // The RS256 -> HS256 confusion: the attacker signs with the (public) PEM text as HMAC secret.
  auto rsa = generate_rsa();
  JwtOptions o;
  o.public_key_pem = public_pem(rsa.get());
  JwtVerifier v(o);
  EXPECT_EQ(reason(v.verify(hs256(claims("u1"), o.public_key_pem), kNow)), "algorithm not allowed");
}

TEST(Jwt, RefusesASubjectMismatch) {
  JwtVerifier v(secret_options());
  EXPECT_EQ(reason(v.verify_user(hs256(claims("u1")), "u2", "BUYER", kNow)), "subject mismatch");
  EXPECT_EQ(reason(v.verify_user(hs256(R"({"exp":)" + std::to_string(kNowS + 60) + "}"), "u1",
                                 "BUYER", kNow)),
            "token has no subject");
}

TEST(Jwt, RefusesARoleMismatch) {
  JwtVerifier v(secret_options());
  EXPECT_EQ(
      reason(v.verify_user(hs256(claims("u1", 3600, R"(,"role":"SELLER")")), "u1", "BUYER", kNow)),
      "role mismatch");
}

TEST(Jwt, RefusesMalformedTokens) {
  JwtVerifier v(secret_options());
  EXPECT_EQ(reason(v.verify("", kNow)), "token missing");
  for (const std::string bad :
       {"abc", "a.b", "a.b.c.d", "..", "!!!.@@@.###", "e30.e30", ".e30.sig"}) {
    EXPECT_EQ(reason(v.verify(bad, kNow)), "malformed token") << bad;
  }
  // Valid base64url but not JSON objects.
  EXPECT_EQ(
      reason(v.verify(base64::url_encode("[1]") + "." + base64::url_encode("{}") + ".AA", kNow)),
      "malformed token header");
  EXPECT_EQ(reason(v.verify(hs256("not json"), kNow)), "malformed token payload");
  EXPECT_EQ(reason(v.verify(hs256(R"({"sub":"u1","exp":"tomorrow"})"), kNow)),
            "malformed exp claim");
  EXPECT_EQ(reason(v.verify(hs256(R"({"sub":{"id":1}})"), kNow)), "malformed subject claim");
  EXPECT_EQ(reason(v.verify(std::string(10000, 'a'), kNow)), "token too long");
}

TEST(Jwt, RefusesCriticalHeaderExtensions) {
  JwtVerifier v(secret_options());
  EXPECT_EQ(reason(v.verify(hs256(claims("u1"), kSecret, R"({"alg":"HS256","crit":["x"]})"), kNow)),
            "unsupported critical header");
}

TEST(Jwt, NumericSubjectAndFractionalTimesAreUnderstood) {
  JwtVerifier v(secret_options());
  const auto token = hs256(R"({"sub":42,"exp":)" + std::to_string(kNowS + 60) + ".5}");
  const auto r = v.verify_user(token, "42", "BUYER", kNow);
  ASSERT_TRUE(r.ok()) << reason(r);
  EXPECT_EQ(r->exp, kNowS + 60);
}

TEST(Jwt, UnconfiguredVerifierRefusesEverything) {
  JwtVerifier v(JwtOptions{});
  EXPECT_FALSE(v.configured());
  EXPECT_EQ(reason(v.verify(hs256(claims("u1")), kNow)), "token verification is not configured");
}

TEST(Jwt, VerifiesRs256WithAGeneratedKey) {
  auto rsa = generate_rsa();
  JwtOptions o;
  o.public_key_pem = public_pem(rsa.get());
  JwtVerifier v(o);
  EXPECT_TRUE(v.allows(JwtAlgorithm::RS256));
  EXPECT_FALSE(v.allows(JwtAlgorithm::ES256));
  EXPECT_FALSE(v.allows(JwtAlgorithm::HS256));
  const auto r = v.verify_user(rs256(rsa.get(), claims("seller-9")), "seller-9", "SELLER", kNow);
  EXPECT_TRUE(r.ok()) << reason(r);

  auto other = generate_rsa();
  EXPECT_EQ(reason(v.verify(rs256(other.get(), claims("seller-9")), kNow)), "bad signature");
  EXPECT_EQ(reason(v.verify(rs256(rsa.get(), claims("seller-9", -3600)), kNow)), "token expired");
}

TEST(Jwt, VerifiesEs256WithAGeneratedKey) {
  auto ec = generate_p256();
  JwtOptions o;
  o.public_key_pem = public_pem(ec.get());
  o.hs256_secret = kSecret;  // both configured: both accepted
  JwtVerifier v(o);
  EXPECT_TRUE(v.allows(JwtAlgorithm::ES256));
  EXPECT_TRUE(v.allows(JwtAlgorithm::HS256));
  EXPECT_FALSE(v.allows(JwtAlgorithm::RS256));
  for (int i = 0; i < 20; ++i) {  // r or s with leading zero bytes must also verify
    const auto r = v.verify_user(es256(ec.get(), claims("b1")), "b1", "BUYER", kNow);
    ASSERT_TRUE(r.ok()) << reason(r);
  }
  EXPECT_TRUE(v.verify(hs256(claims("b1")), kNow).ok());

  auto other = generate_p256();
  EXPECT_EQ(reason(v.verify(es256(other.get(), claims("b1")), kNow)), "bad signature");
  // A DER signature (what OpenSSL produces) is not the JWT form.
  const auto input = signing_input(R"({"alg":"ES256"})", claims("b1"));
  EXPECT_EQ(reason(v.verify(input + "." + base64::url_encode(digest_sign(ec.get(), input)), kNow)),
            "bad signature");
}

TEST(Jwt, RefusesUnusableKeys) {
  JwtOptions o;
  o.public_key_pem = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  EXPECT_THROW(JwtVerifier{o}, std::runtime_error);
  Pkey p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  o.public_key_pem = public_pem(p384.get());
  EXPECT_THROW(JwtVerifier{o}, std::runtime_error);
}

}  // namespace
}  // namespace cz::messenger
