#include "util/base64.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cz {
namespace {

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64::encode(""), "");
  EXPECT_EQ(base64::encode("f"), "Zg==");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
  EXPECT_EQ(base64::encode("foo"), "Zm9v");
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64::decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(base64::decode(""), "");
  EXPECT_FALSE(base64::decode("Zm9v=YmE=").has_value());
  EXPECT_FALSE(base64::decode("Zg===").has_value());
  EXPECT_FALSE(base64::decode("Z").has_value());
  EXPECT_FALSE(base64::decode("Zm9\n").has_value());
}

TEST(Base64, RoundTripAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n < all.size(); n += 37) {
    auto s = all.substr(0, n);
    EXPECT_EQ(base64::decode(base64::encode(s)), s);
  }
}

TEST(Base64Url, RoundTripsAndRejectsForeignText) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00 ?>"}) {
    const auto decoded = base64::url_decode(base64::url_encode(s));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(base64::url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64::url_decode("Zm9v="));  // padding
  EXPECT_FALSE(base64::url_decode("Zm+v"));   // standard alphabet
  EXPECT_FALSE(base64::url_decode("Z"));      // impossible length
  EXPECT_FALSE(base64::url_decode("Zh"));     // non-zero unused bits
  EXPECT_EQ(base64::url_decode("Zg"), std::optional<std::string>("f"));
}

}  // namespace
}  // namespace cz
