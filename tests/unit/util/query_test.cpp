#include "util/query.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cz::query {
namespace {

TEST(LenientQuery, ParsesAndDecodes) {
  auto q = Params::parse_lenient(
      "/socket.io/?EIO=4&transport=polling&t=N1&token=a%2Bb%3D&name=a+b&flag");
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q.get("EIO"), "4");
  EXPECT_EQ(q.get("transport"), "polling");
  EXPECT_EQ(q.get("token"), "a+b=");
  EXPECT_EQ(q.get("name"), "a b");
  EXPECT_EQ(q.get("flag"), "");
  EXPECT_FALSE(q.get("sid").has_value());
}

TEST(LenientQuery, FirstValueWinsAndOddInputIsSafe) {
  auto q = Params::parse_lenient("/x?a=1&a=2&&=v&b=%zz&c=%4");
  EXPECT_EQ(q.get("a"), "1");
  EXPECT_EQ(q.get("b"), "%zz");
  EXPECT_EQ(q.get("c"), "%4");
  EXPECT_EQ(q.get(""), "v");
  EXPECT_TRUE(Params::parse_lenient("/no-query").empty());
  EXPECT_TRUE(Params::parse_lenient("/x?").empty());
  EXPECT_EQ(percent_decode_lenient("%E2%82%AC"), "\xe2\x82\xac");
}

TEST(StrictQuery, PercentDecodes) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("", false), "");
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%2", false));
  EXPECT_FALSE(percent_decode("a%zzb", false));
  EXPECT_FALSE(percent_decode("abc%4", false));
}

TEST(StrictQuery, ParsesParameters) {
  auto q = Params::parse_strict("/v1/rooms?user_id=u%201&role=BUYER&name=a+b&empty=&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->get("user_id"), "u 1");
  EXPECT_EQ(q->get("role"), "BUYER");
  EXPECT_EQ(q->get("name"), "a b");
  EXPECT_EQ(q->get("empty"), "");
  EXPECT_EQ(q->get("flag"), "");
  EXPECT_FALSE(q->get("missing"));
  EXPECT_TRUE(Params::parse_strict("/v1/rooms")->empty());
  EXPECT_TRUE(Params::parse_strict("/v1/rooms?")->empty());
  EXPECT_TRUE(Params::parse_strict("/v1/rooms?&&")->empty());
}

TEST(StrictQuery, RefusesDuplicatesAndBadEscapes) {
  auto dup = Params::parse_strict("/x?user_id=a&user_id=b");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "VALIDATION_ERROR");
  EXPECT_NE(dup.error().message.find("user_id"), std::string::npos);
  EXPECT_FALSE(Params::parse_strict("/x?role=%ZZ"));
  EXPECT_FALSE(Params::parse_strict("/x?%=1"));
}

TEST(StrictQuery, RefusesTooManyParameters) {
  std::string target = "/x?";
  for (int i = 0; i < 40; ++i) target += "p" + std::to_string(i) + "=1&";
  EXPECT_FALSE(Params::parse_strict(target));
}

}  // namespace
}  // namespace cz::query
