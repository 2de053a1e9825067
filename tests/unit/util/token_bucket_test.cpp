#include "util/token_bucket.hpp"

#include <gtest/gtest.h>

namespace cz {
namespace {

TEST(TokenBucket, StartsFullAndRefillsAtTheRate) {
  const TokenRate rate{10, 3};  // 10 per second, bursts of 3
  TokenBucket bucket;
  EXPECT_TRUE(bucket.take(rate, 1000));
  EXPECT_TRUE(bucket.take(rate, 1000));
  EXPECT_TRUE(bucket.take(rate, 1000));
  EXPECT_FALSE(bucket.take(rate, 1000)) << "the burst is spent";
  EXPECT_FALSE(bucket.take(rate, 1050)) << "half a token after 50 ms";
  EXPECT_TRUE(bucket.take(rate, 1100)) << "one token after 100 ms";
  EXPECT_FALSE(bucket.take(rate, 1100));
  EXPECT_NEAR(bucket.available(rate, 60000), 3.0, 1e-6) << "never more than the burst";
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
  TokenBucket bucket;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(bucket.take(TokenRate{}, 5));
}

TEST(TokenBucket, TheClockMayWrap) {
  const TokenRate rate{1, 1};
  TokenBucket bucket;
  const std::uint32_t before_wrap = 0xFFFFFF00u;
  EXPECT_TRUE(bucket.take(rate, before_wrap));
  EXPECT_FALSE(bucket.take(rate, before_wrap + 10));
  EXPECT_TRUE(bucket.take(rate, before_wrap + 0x100 + 1000)) << "1 s later, across the wrap";
}

}  // namespace
}  // namespace cz
