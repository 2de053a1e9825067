// The original's documents, in the shapes mongoexport writes them, mapped to our rows.
#include <gtest/gtest.h>

#include "import/mapping.hpp"
#include "util/ids.hpp"

namespace cz::import {
namespace {

rapidjson::Document parse(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

TEST(ImportMapping, RoomInRelaxedExtendedJson) {
  auto doc = parse(R"({"_id":"b1.s1","type":"BS","creator":"b1","buyer":"b1","seller":"s1",
    "shop":{"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"name":"Café Ünï"},
    "buyer_info":{"name":"Bob","avatar":null,"phone_number":"+1","email":"b@x"},
    "buyer_last_message":{"_id":"ckx1","content":"hi","is_seen":true},
    "seller_last_message":{"_id":"ckx1","content":"hi","is_seen":false},
    "buyer_unseen_messages":0,"seller_unseen_messages":3,
    "pinned_by_buyer":{"$date":"2024-01-02T03:04:05.678Z"},
    "deleted_by_seller":true,"seller_deleted_at":{"$date":"2024-02-01T00:00:00Z"},
    "enable":true,"created_at":{"$date":"2024-01-01T00:00:00.000Z"},
    "updated_at":{"$date":"2024-03-01T00:00:00.000Z"}})");
  auto r = map_room(doc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "b1.s1");
  EXPECT_EQ(r->creator, "b1");
  EXPECT_EQ(r->shop_id, "65a1b2c3d4e5f60718293a4b");
  EXPECT_EQ(r->shop_json, R"({"_id":"65a1b2c3d4e5f60718293a4b","name":"Café Ünï"})");
  EXPECT_EQ(r->buyer_info_json,
            R"({"name":"Bob","avatar":null,"phone_number":"+1","email":"b@x"})");
  ASSERT_TRUE(r->buyer_last_message);
  EXPECT_EQ(r->buyer_last_message->message.id, "ckx1");
  EXPECT_TRUE(r->buyer_last_message->is_seen);
  EXPECT_FALSE(r->seller_last_message->is_seen);
  EXPECT_EQ(r->seller_unseen_messages, 3);
  EXPECT_EQ(r->pinned_by_buyer, 1704164645678);
  EXPECT_FALSE(r->pinned_by_seller);
  EXPECT_TRUE(r->deleted_by_seller);
  EXPECT_FALSE(r->deleted_by_buyer);
  EXPECT_EQ(r->seller_deleted_at, 1706745600000);
  EXPECT_EQ(r->created_at, 1704067200000);
  EXPECT_EQ(r->updated_at, 1709251200000);
}

TEST(ImportMapping, RoomInCanonicalExtendedJsonWithOptionalFieldsMissing) {
  auto doc = parse(R"({"_id":"b2.s2","buyer":"b2","seller":"s2",
    "seller_unseen_messages":{"$numberInt":"7"},"buyer_unseen_messages":{"$numberLong":"2"},
    "createdAt":{"$date":{"$numberLong":"1704067200000"}}})");
  auto r = map_room(doc);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->type, "BS");
  EXPECT_EQ(r->creator, "b2");
  EXPECT_EQ(r->shop_json, "null");
  EXPECT_EQ(r->shop_id, "");
  EXPECT_FALSE(r->buyer_last_message);
  EXPECT_EQ(r->seller_unseen_messages, 7);
  EXPECT_EQ(r->buyer_unseen_messages, 2);
  EXPECT_TRUE(r->enable);
  EXPECT_EQ(r->created_at, 1704067200000);
  EXPECT_EQ(r->updated_at, 1704067200000);
}

TEST(ImportMapping, RoomRefusals) {
  EXPECT_EQ(
      map_room(parse(R"({"_id":"x.y","buyer":"b","seller":"s","created_at":1})")).error().message,
      "_id x.y is not <buyer>.<seller> (b.s)");
  EXPECT_EQ(map_room(parse(R"({"_id":"b.s","seller":"s","created_at":1})")).error().message,
            "field buyer is missing");
  EXPECT_EQ(
      map_room(parse(R"({"_id":"b.b","buyer":"b","seller":"b","created_at":1})")).error().message,
      "buyer and seller are the same user");
  EXPECT_EQ(map_room(parse(R"({"_id":"b.s","buyer":"b","seller":"s","enable":"yes",
    "created_at":1})"))
                .error()
                .message,
            "field enable has an unexpected value");
  EXPECT_EQ(map_room(parse(R"({"_id":"b.s","buyer":"b","seller":"s"})")).error().message,
            "field created_at is missing (and updated_at too)");
  EXPECT_FALSE(map_room(parse("[1]")).ok());
}

TEST(ImportMapping, MessageCurrentAndOlderVariant) {
  auto current = map_message(parse(R"({"_id":"ckq8x2v1h0000abcd1234efgh","room_id":"b1.s1",
    "from":"b1","to":"s1","type":"IMAGE","content":"https://x/1.png","client_message_id":"c-1",
    "is_seen":true,"created_at":{"$date":"2024-01-01T00:00:00.001Z"},
    "updated_at":{"$date":"2024-01-01T00:00:01.000Z"}})"));
  ASSERT_TRUE(current.ok()) << current.error().message;
  EXPECT_EQ(current->id, "ckq8x2v1h0000abcd1234efgh");
  EXPECT_EQ(current->type, store::MessageType::Image);
  EXPECT_EQ(current->client_message_id, "c-1");
  EXPECT_TRUE(current->is_seen);
  EXPECT_EQ(current->created_at, 1704067200001);
  EXPECT_EQ(current->updated_at, 1704067201000);

  auto older = map_message(parse(R"({"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"},"room_id":"b1.s1",
    "sender":"s1","receiver":"b1","type":"emoji","content":"😀","is_read":true})"));
  ASSERT_TRUE(older.ok()) << older.error().message;
  EXPECT_EQ(older->id, "65a1b2c3d4e5f60718293a4b");
  EXPECT_EQ(older->from, "s1");
  EXPECT_EQ(older->to, "b1");
  EXPECT_EQ(older->type, store::MessageType::Emoji);
  EXPECT_EQ(older->content, "😀");
  EXPECT_TRUE(older->is_seen);
  EXPECT_EQ(older->client_message_id, "");
  // No created_at: the ObjectId's time (0x65a1b2c3 seconds).
  EXPECT_EQ(older->created_at, 0x65a1b2c3LL * 1000);
  EXPECT_EQ(older->updated_at, older->created_at);
}

TEST(ImportMapping, MessageTimeFromCuid) {
  // "c" + base-36 milliseconds "lq9ceyaw" + counter, fingerprint and random blocks.
  auto t = time_in_original_id("clq9ceyaw0000abcdqwertyui");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 1703160000000 + (*t - 1703160000000));  // decodes
  std::int64_t expected = 0;
  for (char c : std::string("lq9ceyaw"))
    expected = expected * 36 + (c <= '9' ? c - '0' : c - 'a' + 10);
  EXPECT_EQ(*t, expected);
  EXPECT_FALSE(time_in_original_id("not-an-id"));
}

TEST(ImportIds, OriginalIdsAreCuidsAndObjectIds) {
  EXPECT_TRUE(is_original_id("clq9ceyaw0000abcdqwertyui"));
  EXPECT_TRUE(is_original_id("65a1b2c3d4e5f60718293a4b"));
  EXPECT_FALSE(is_original_id("65A1B2C3D4E5F60718293A4B"));  // mongoexport writes lower case
  EXPECT_FALSE(is_original_id("cShort"));
  EXPECT_FALSE(is_original_id("clq9ceyaw0000abcd-wertyui"));
  EXPECT_FALSE(is_original_id("not a time"));
  EXPECT_TRUE(is_message_id(generate_id().id));  // ours too
}

TEST(ImportMapping, MessageRefusals) {
  auto reason = [](const char* json) { return map_message(parse(json)).error().message; };
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"b","to":"s","type":"VIDEO",
    "content":"x","created_at":1})"),
      "type VIDEO is not TEXT, IMAGE or EMOJI");
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"b","to":"s","created_at":1})"),
      "field content is missing");
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","to":"s","content":"x","created_at":1})"),
      "field from is missing");
  EXPECT_EQ(reason(R"({"_id":"m-1","room_id":"b.s","from":"b","to":"s","content":"x"})"),
            "_id m-1 is not a message id (a cuid or an ObjectId)");
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"b","to":"s","content":"x",
    "created_at":"yesterday"})"),
      "field created_at has an unexpected value");
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"b","to":"s","content":"a\u0000b",
    "created_at":1})"),
      "field content contains a NUL character");
  // A lone surrogate escape parses, into bytes that are not UTF-8 (the import readers' fuzzer).
  EXPECT_EQ(reason(
                R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"al\udc00ice","to":"s",
    "content":"x","created_at":1})"),
            "field from is not valid UTF-8");
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"b","to":"s","content":"\udc01",
    "created_at":1})"),
      "field content is not valid UTF-8");
  EXPECT_EQ(
      reason(
          R"({"_id":"clq9ceyaw0000abcdqwertyui","room_id":"b.s","from":"b","to":"s","content":"x",
    "client_message_id":"c\udfff","created_at":1})"),
      "field client_message_id is not valid UTF-8");
}

TEST(ImportEjson, PlainJsonUnwrapsEveryWrapper) {
  auto doc = parse(R"({"a":{"$numberLong":"9007199254740993"},"b":{"$numberDouble":"1.5"},
    "c":[{"$date":{"$numberLong":"0"}},{"$numberInt":"-4"}],"d":{"$numberDouble":"Infinity"}})");
  EXPECT_EQ(to_plain_json(doc),
            R"({"a":9007199254740993,"b":1.5,"c":["1970-01-01T00:00:00.000Z",-4],"d":null})");
  EXPECT_EQ(ejson_integer(parse(R"({"$numberDouble":"2.5"})")), std::nullopt);
  EXPECT_EQ(ejson_string(parse(R"({"$numberLong":"42"})")), "42");
  EXPECT_EQ(ejson_time(parse(R"("2024-01-01T00:00:00+01:00")")), 1704063600000);
}

}  // namespace
}  // namespace cz::import
