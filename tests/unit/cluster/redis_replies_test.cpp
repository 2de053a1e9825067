// The readers of Redis replies, on replies made by hiredis's own reader from RESP bytes (what a
// connection gets from the server), so that every shape is one Redis could really send.
#include "cluster/redis_replies.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <limits>
#include <memory>
#include <string>

namespace cz::cluster {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

Reply parse(std::string_view resp) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, resp.data(), resp.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &reply), REDIS_OK);
  redisReaderFree(reader);
  EXPECT_NE(reply, nullptr) << resp;
  return Reply(static_cast<redisReply*>(reply));
}

TEST(RedisReplies, PubSubMessagesAndConfirmations) {
  auto message = parse("*4\r\n$8\r\npmessage\r\n$3\r\np:*\r\n$3\r\np:a\r\n$2\r\nhi\r\n");
  auto event = replies::pubsub_event(message.get());
  ASSERT_TRUE(event);
  EXPECT_FALSE(event->confirmation);
  EXPECT_EQ(event->pattern, "p:*");
  EXPECT_EQ(event->channel, "p:a");
  EXPECT_EQ(event->message, "hi");

  auto confirmation = parse("*3\r\n$10\r\npsubscribe\r\n$3\r\np:*\r\n:1\r\n");
  event = replies::pubsub_event(confirmation.get());
  ASSERT_TRUE(event);
  EXPECT_TRUE(event->confirmation);
  EXPECT_EQ(event->pattern, "p:*");

  // Other shapes: nested arrays, integers and nil where strings belong, short arrays.
  for (const char* other :
       {"*4\r\n*0\r\n$-1\r\n:3\r\n*1\r\n:1\r\n", "*2\r\n$8\r\npmessage\r\n:1\r\n",
        "*3\r\n$8\r\npmessage\r\n$1\r\np\r\n$1\r\nc\r\n", ":1\r\n", "$-1\r\n", "-ERR no\r\n"}) {
    EXPECT_FALSE(replies::pubsub_event(parse(other).get())) << other;
  }
  EXPECT_FALSE(replies::pubsub_event(nullptr));
}

TEST(RedisReplies, StatusesOfThePresenceQuery) {
  auto reply =
      parse("*2\r\n*3\r\n:2\r\n$5\r\nBUYER\r\n$-1\r\n*3\r\n:0\r\n$6\r\nSELLER\r\n$3\r\n123\r\n");
  auto statuses = replies::statuses(reply.get(), {"a", "b"}, 999);
  ASSERT_TRUE(statuses);
  ASSERT_EQ(statuses->size(), 2u);
  EXPECT_TRUE((*statuses)[0].online);
  EXPECT_EQ((*statuses)[0].role, store::Role::Buyer);
  EXPECT_EQ((*statuses)[0].last_seen, 999);
  EXPECT_FALSE((*statuses)[1].online);
  EXPECT_EQ((*statuses)[1].role, store::Role::Seller);
  EXPECT_EQ((*statuses)[1].last_seen, 123);
  EXPECT_FALSE(replies::statuses(reply.get(), {"a"}, 0)) << "one status per id asked";
  EXPECT_FALSE(replies::statuses(parse("*1\r\n:1\r\n").get(), {"a"}, 0));
  EXPECT_FALSE(
      replies::statuses(parse("*1\r\n*3\r\n$1\r\n1\r\n$0\r\n\r\n$0\r\n\r\n").get(), {"a"}, 0));
}

// Found by reading the parser for fuzz_redis_reply.cpp (before the target first ran): a `last seen`
// of more digits than an int64 holds overflowed (undefined behaviour) instead of being refused.
TEST(RedisReplies, MillisecondsAreDigitsThatFitInt64) {
  EXPECT_EQ(replies::parse_ms("0"), 0);
  EXPECT_EQ(replies::parse_ms("1764077841123"), 1764077841123);
  EXPECT_EQ(replies::parse_ms("9223372036854775807"), std::numeric_limits<TimeMs>::max());
  EXPECT_FALSE(replies::parse_ms("9223372036854775808"));
  EXPECT_FALSE(replies::parse_ms("99999999999999999999999"));
  EXPECT_FALSE(replies::parse_ms(""));
  EXPECT_FALSE(replies::parse_ms("-1"));
  EXPECT_FALSE(replies::parse_ms("12a"));
  auto reply = parse("*1\r\n*3\r\n:0\r\n$5\r\nBUYER\r\n$20\r\n99999999999999999999\r\n");
  auto statuses = replies::statuses(reply.get(), {"a"}, 0);
  ASSERT_TRUE(statuses);
  EXPECT_FALSE((*statuses)[0].last_seen);
}

TEST(RedisReplies, HeartbeatAnswers) {
  auto expired = replies::heartbeat(parse(":0\r\n").get());
  ASSERT_TRUE(expired);
  EXPECT_TRUE(expired->expired);
  // The keys are views into the reply: it must outlive them.
  const auto lost_reply = parse("*2\r\n:1\r\n*2\r\n$6\r\nuser:a\r\n:7\r\n");
  auto lost = replies::heartbeat(lost_reply.get());
  ASSERT_TRUE(lost);
  EXPECT_FALSE(lost->expired);
  EXPECT_EQ(lost->lost_user_keys, (std::vector<std::string_view>{"user:a", ""}));
  EXPECT_FALSE(replies::heartbeat(parse(":1\r\n").get()));
  EXPECT_FALSE(replies::heartbeat(parse("*2\r\n:1\r\n:2\r\n").get()));
  EXPECT_FALSE(replies::heartbeat(parse("-ERR script\r\n").get()));
  EXPECT_FALSE(replies::heartbeat(nullptr));
  EXPECT_EQ(replies::error_of(parse("-ERR script\r\n").get()), "ERR script");
  EXPECT_EQ(replies::error_of(nullptr), "connection lost");
}

}  // namespace
}  // namespace cz::cluster
