#include "util/utf8.hpp"

#include <gtest/gtest.h>

namespace cz {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(utf8::is_valid(""));
  EXPECT_TRUE(utf8::is_valid("plain ascii text that is longer than eight bytes"));
  EXPECT_TRUE(utf8::is_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(utf8::is_valid("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(utf8::is_valid("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(Utf8, RefusesIllFormedText) {
  EXPECT_FALSE(utf8::is_valid("\xed\xb0\x80"));      // lone low surrogate (JSON "\udc00")
  EXPECT_FALSE(utf8::is_valid("\xed\xa0\x80"));      // lone high surrogate
  EXPECT_FALSE(utf8::is_valid("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(utf8::is_valid("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(utf8::is_valid("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(utf8::is_valid("\xff"));
  EXPECT_FALSE(utf8::is_valid("abc\xe2\x82"));           // truncated at the end
  EXPECT_FALSE(utf8::is_valid("0123456789abcdef\x80"));  // after the eight-byte fast path
}

TEST(Utf8, RepairReplacesEachInvalidPartWithOneReplacementCharacter) {
  std::string text =
      "bad\xed\xb0\x80"
      "end";
  EXPECT_TRUE(utf8::repair(text));
  EXPECT_EQ(text,
            "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "end");  // ED, B0, 80: three parts
  EXPECT_TRUE(utf8::is_valid(text));

  std::string truncated = "x\xe2\x82";  // one maximal subpart: E2 82
  EXPECT_TRUE(utf8::repair(truncated));
  EXPECT_EQ(truncated, "x\xef\xbf\xbd");

  std::string mixed = "\xff\xc3\xa9\xc3";
  EXPECT_TRUE(utf8::repair(mixed));
  EXPECT_EQ(mixed, "\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd");
}

TEST(Utf8, RepairLeavesValidTextAlone) {
  std::string text = "h\xc3\xa9llo \xf0\x9f\x98\x80";
  const std::string before = text;
  EXPECT_FALSE(utf8::repair(text));
  EXPECT_EQ(text, before);
}

}  // namespace
}  // namespace cz
