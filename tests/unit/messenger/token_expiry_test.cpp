#include "messenger/token_expiry.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace cz::messenger {
namespace {

TEST(TokenExpiry, DeadlineIsExpPlusLeewayInMilliseconds) {
  EXPECT_EQ(token_deadline_ms(1'700'000'000, std::chrono::seconds(30)), 1'700'000'030'000);
  EXPECT_EQ(token_deadline_ms(1'700'000'000, std::chrono::seconds(0)), 1'700'000'000'000);
}

TEST(TokenExpiry, NoExpMeansNoDeadline) {
  EXPECT_EQ(token_deadline_ms(std::nullopt, std::chrono::seconds(30)), 0);
}

TEST(TokenExpiry, AbsurdExpValuesSaturateInsteadOfOverflowing) {
  const auto far =
      token_deadline_ms(std::numeric_limits<std::int64_t>::max(), std::chrono::seconds(30));
  EXPECT_GT(far, token_deadline_ms(4'000'000'000, std::chrono::seconds(30)));
  // Never 0 ("no deadline") for a token that has an exp, even one in the distant past.
  EXPECT_GT(token_deadline_ms(-100, std::chrono::seconds(30)), 0);
  EXPECT_GT(token_deadline_ms(std::numeric_limits<std::int64_t>::min(), std::chrono::seconds(30)),
            0);
}

}  // namespace
}  // namespace cz::messenger
