// Development tokens: what mint_hs256_token signs is what the server's own verifier accepts, for
// that user and role only, and only with that secret.
#include "messenger/rest/dev_tokens.hpp"

#include <gtest/gtest.h>

#include "messenger/jwt.hpp"

namespace cz::messenger::rest {
namespace {

constexpr std::int64_t kNowS = 1'800'000'000;

JwtOptions secret(const std::string& value) {
  JwtOptions o;
  o.hs256_secret = value;
  return o;
}

TEST(DevTokens, TheVerifierAcceptsWhatIsMinted) {
  JwtVerifier verifier(secret("dev-secret"));
  const auto token = mint_hs256_token("dev-secret", "alice", "BUYER", kNowS, kNowS + 3600);
  auto claims = verifier.verify_user(token, "alice", "BUYER", kNowS * 1000);
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(claims->sub, "alice");
  EXPECT_EQ(claims->role, "BUYER");
  EXPECT_EQ(claims->exp, kNowS + 3600);
}

TEST(DevTokens, OnlyForThatUserRoleSecretAndTime) {
  const auto token = mint_hs256_token("dev-secret", "alice", "BUYER", kNowS, kNowS + 3600);
  JwtVerifier verifier(secret("dev-secret"));
  EXPECT_FALSE(verifier.verify_user(token, "mallory", "BUYER", kNowS * 1000).ok());
  EXPECT_FALSE(verifier.verify_user(token, "alice", "SELLER", kNowS * 1000).ok());
  EXPECT_FALSE(verifier.verify_user(token, "alice", "BUYER", (kNowS + 7200) * 1000).ok());
  JwtVerifier other(secret("production-secret"));
  EXPECT_FALSE(other.verify_user(token, "alice", "BUYER", kNowS * 1000).ok());
}

TEST(DevTokens, IdsWithJsonSpecialCharactersStayIntact) {
  JwtVerifier verifier(secret("s"));
  const std::string id = "a\"b\\c d.e";
  const auto token = mint_hs256_token("s", id, "SELLER", kNowS, kNowS + 60);
  auto claims = verifier.verify_user(token, id, "SELLER", kNowS * 1000);
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(claims->sub, id);
}

}  // namespace
}  // namespace cz::messenger::rest
