#include "app/logging.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace cz::app {
namespace {

rapidjson::Document parsed(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.data(), line.size());
  EXPECT_FALSE(d.HasParseError()) << line;
  EXPECT_TRUE(d.IsObject()) << line;
  return d;
}

TEST(JsonLog, OneObjectWithTimeLevelMessage) {
  const auto line =
      json_log_line("info", "store: PostgreSQL 16 (schema version 4)", 1764757530123LL, 42);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto d = parsed(line);
  EXPECT_STREQ(d["time"].GetString(), "2025-12-03T10:25:30.123Z");
  EXPECT_STREQ(d["level"].GetString(), "info");
  EXPECT_STREQ(d["message"].GetString(), "store: PostgreSQL 16 (schema version 4)");
  EXPECT_STREQ(d["component"].GetString(), "store");
  EXPECT_EQ(d["thread"].GetUint64(), 42u);
  EXPECT_FALSE(d.HasMember("logger")) << "the default logger has no name";
}

TEST(JsonLog, MessagesAreEscaped) {
  const std::string message = "quote \" backslash \\ newline \n tab \t bell \a bad \xff end";
  auto d = parsed(json_log_line("warning", message, 0, 1, "rest"));
  EXPECT_STREQ(d["message"].GetString(),
               "quote \" backslash \\ newline \n tab \t bell \a bad \xEF\xBF\xBD end")
      << "ill-formed UTF-8 becomes U+FFFD";
  EXPECT_STREQ(d["logger"].GetString(), "rest");
  EXPECT_STREQ(d["time"].GetString(), "1970-01-01T00:00:00.000Z");
}

TEST(JsonLog, ComponentOnlyFromASubsystemPrefix) {
  EXPECT_STREQ(parsed(json_log_line("info", "redis presence: heartbeat failed", 0, 1))["component"]
                   .GetString(),
               "redis presence");
  EXPECT_FALSE(parsed(json_log_line("info", "stopped", 0, 1)).HasMember("component"));
  EXPECT_FALSE(
      parsed(json_log_line("info", "Cannot start: port in use", 0, 1)).HasMember("component"))
      << "a sentence, not a subsystem";
  EXPECT_FALSE(parsed(json_log_line("info", ": empty", 0, 1)).HasMember("component"));
}

}  // namespace
}  // namespace cz::app
