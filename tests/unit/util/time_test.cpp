#include "util/time.hpp"

#include <gtest/gtest.h>

namespace cz {
namespace {

TEST(Time, FormatsEpochAndKnownInstants) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(1795786641123), "2026-11-27T13:37:21.123Z");
  EXPECT_EQ(format_iso8601(951782400000), "2000-02-29T00:00:00.000Z");  // leap day of a 400-year
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Time, ParsesWhatItFormats) {
  for (TimeMs t : {TimeMs{0}, TimeMs{1}, TimeMs{999}, TimeMs{1795786641123}, TimeMs{951868799999},
                   TimeMs{253402300799999}, TimeMs{-86400001}}) {
    auto parsed = parse_iso8601(format_iso8601(t));
    ASSERT_TRUE(parsed) << t;
    EXPECT_EQ(*parsed, t);
  }
}

TEST(Time, ParsesIsoVariants) {
  EXPECT_EQ(parse_iso8601("2026-11-27T13:37:21.123Z"), 1795786641123);
  EXPECT_EQ(parse_iso8601("2026-11-27T13:37:21Z"), 1795786641000);
  EXPECT_EQ(parse_iso8601("2026-11-27T13:37Z"), 1795786620000);
  EXPECT_EQ(parse_iso8601("2026-11-27t13:37:21.1z"), 1795786641100);
  EXPECT_EQ(parse_iso8601("2026-11-27 13:37:21.123456789Z"), 1795786641123);  // truncated
  EXPECT_EQ(parse_iso8601("2026-11-27T15:37:21.123+02:00"), 1795786641123);
  EXPECT_EQ(parse_iso8601("2026-11-27T08:07:21.123-0530"), 1795786641123);
  EXPECT_EQ(parse_iso8601("2026-11-27"), 1795737600000);
}

TEST(Time, RejectsMalformedAndImpossibleDates) {
  for (const char* bad :
       {"", "2026", "2026-11", "2026-13-01", "2026-02-29", "2026-00-10", "2026-11-31",
        "2026-11-27T", "2026-11-27T13", "2026-11-27T13:37:21", "2026-11-27T24:00:00Z",
        "2026-11-27T13:60:00Z", "2026-11-27T13:37:61Z", "2026-11-27T13:37:21.Z",
        "2026-11-27T13:37:21.123Zjunk", "2026-11-27T13:37:21+25:00", "x026-11-27T13:37:21Z",
        "2026-11-27T13:37:21.123 Z"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
  EXPECT_TRUE(parse_iso8601("2024-02-29T00:00:00Z"));   // leap year
  EXPECT_FALSE(parse_iso8601("1900-02-29T00:00:00Z"));  // century, not a leap year
}

TEST(Time, ParseTimeAcceptsEpochMillisecondsOrIso) {
  EXPECT_EQ(parse_time("1795786641123"), 1795786641123);
  EXPECT_EQ(parse_time("0"), 0);
  EXPECT_EQ(parse_time("-5"), -5);
  EXPECT_EQ(parse_time("2026-11-27T13:37:21.123Z"), 1795786641123);
  EXPECT_FALSE(parse_time(""));
  EXPECT_FALSE(parse_time("-"));
  EXPECT_FALSE(parse_time("12a"));
  EXPECT_FALSE(parse_time("1e12"));
  EXPECT_FALSE(parse_time("99999999999999999999"));  // would overflow
}

TEST(Time, NowIsCurrent) {
  const TimeMs now = now_ms();
  EXPECT_GT(now, 1'700'000'000'000);  // after 2023-11
  EXPECT_LT(now, 4'102'444'800'000);  // before 2100
}

}  // namespace
}  // namespace cz
