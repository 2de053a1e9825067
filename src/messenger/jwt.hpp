#pragma once
// JSON Web Token verification (RFC 7519), OpenSSL only.
//
// Accepted algorithms are exactly those the server was configured for: HS256 with a shared
// secret, RS256 with an RSA public key, ES256 with a P-256 public key. Anything else ("none",
// HS384, a token claiming HS256 while only a public key is configured, ...) is refused, so a
// token can never pick its own verification method (the classic RS256->HS256 confusion).
//
// A JwtVerifier is immutable after construction and safe to use from every thread at once.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/time.hpp"

namespace cz::messenger {

enum class JwtAlgorithm { HS256, RS256, ES256 };

struct JwtOptions {
  std::string hs256_secret;    // empty: HS256 refused
  std::string public_key_pem;  // empty: RS256/ES256 refused; RSA key -> RS256, P-256 key -> ES256
  std::chrono::seconds leeway{30};  // clock skew tolerated on exp and nbf
  std::size_t max_token_bytes = 8192;
};

struct JwtClaims {
  std::string sub;
  std::optional<std::string> role;
  std::optional<std::int64_t> exp;
  std::optional<std::int64_t> nbf;
};

class JwtVerifier {
 public:
  // Throws std::runtime_error when the public key cannot be used.
  explicit JwtVerifier(const JwtOptions& options);
  ~JwtVerifier();
  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;

  // Whether any algorithm is configured at all (without one, every token is refused).
  bool configured() const;
  bool allows(JwtAlgorithm alg) const;

  // Checks structure, algorithm, signature and the time claims. Errors have code UNAUTHORIZED
  // and a short reason as message ("token expired", "bad signature", ...).
  Result<JwtClaims> verify(std::string_view token, TimeMs now) const;

  // verify() plus the identity claims: `sub` must equal `user_id`, and `role`, when the token
  // has one, must equal `role` (ASCII case-insensitive: "buyer" and "BUYER" are the same role).
  Result<JwtClaims> verify_user(std::string_view token, std::string_view user_id,
                                std::string_view role, TimeMs now) const;

 private:
  bool check_signature(JwtAlgorithm alg, std::string_view signing_input,
                       std::string_view signature) const;

  std::string secret_;
  struct Key;
  std::unique_ptr<Key> key_;
  std::optional<JwtAlgorithm> key_alg_;
  std::chrono::seconds leeway_;
  std::size_t max_token_bytes_;
};

}  // namespace cz::messenger
