#include "messenger/validate.hpp"

#include <gtest/gtest.h>

#include "messenger/errors.hpp"

namespace cz::messenger {
namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

template <typename T>
std::string code_of(const Result<T>& r) {
  return r.ok() ? "OK" : r.error().code;
}

const Limits kLimits;

constexpr const char* kGoodMessage =
    R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"hi","client_message_id":"c1"})";

TEST(Validate, PayloadMustBeAnObject) {
  EXPECT_EQ(code_of(payload_object(json("[]"))), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(payload_object(json("[\"text\"]"))), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(payload_object(json("[null]"))), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(payload_object(json("[{}]"))), "OK");
}

TEST(Validate, NewMessageHappyPath) {
  const auto r = parse_new_message(json(kGoodMessage), kLimits);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->room_id, "b1.s1");
  EXPECT_EQ(r->from, "b1");
  EXPECT_EQ(r->to, "s1");
  EXPECT_EQ(r->type, store::MessageType::Text);
  EXPECT_EQ(r->content, "hi");
  EXPECT_EQ(r->client_message_id, "c1");
}

TEST(Validate, NewMessageNumericIdsBecomeText) {
  const auto r = parse_new_message(
      json(R"({"room_id":"1.2","from":1,"to":2,"type":"EMOJI","content":"+1"})"), kLimits);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->from, "1");
  EXPECT_EQ(r->to, "2");
  EXPECT_EQ(r->client_message_id, "");
}

TEST(Validate, NewMessageRefusals) {
  struct Case {
    const char* payload;
    const char* code;
    const char* message;
  };
  const Case cases[] = {
      {R"({"from":"b1","to":"s1","type":"TEXT","content":"x"})", "VALIDATION_ERROR",
       "room_id is required"},
      {R"({"room_id":5,"from":"b1","to":"s1","type":"TEXT","content":"x"})", "VALIDATION_ERROR",
       "room_id is not a room id"},
      {R"({"room_id":"b1.s1","from":true,"to":"s1","type":"TEXT","content":"x"})",
       "VALIDATION_ERROR", "from must be a string"},
      {R"({"room_id":"b1.s1","from":"b1","type":"TEXT","content":"x"})", "VALIDATION_ERROR",
       "to is required"},
      {R"({"room_id":"b1.s1","from":"","to":"s1","type":"TEXT","content":"x"})", "VALIDATION_ERROR",
       "from must not be empty"},
      {R"({"room_id":"b1.s1","from":"b\n1","to":"s1","type":"TEXT","content":"x"})",
       "VALIDATION_ERROR", "from contains control characters"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","content":"x"})", "VALIDATION_ERROR",
       "type is required"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":1,"content":"x"})", "VALIDATION_ERROR",
       "type must be a string"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"VIDEO","content":"x"})",
       "UNKNOWN_MESSAGE_TYPE", "type must be TEXT, IMAGE or EMOJI"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"text","content":"x"})",
       "UNKNOWN_MESSAGE_TYPE", "type must be TEXT, IMAGE or EMOJI"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT"})", "VALIDATION_ERROR",
       "content is required"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":{"a":1}})",
       "VALIDATION_ERROR", "content must be a string"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":""})",
       "VALIDATION_ERROR", "content must not be empty"},
      {R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"x","client_message_id":[]})",
       "VALIDATION_ERROR", "client_message_id must be a string"},
  };
  for (const auto& c : cases) {
    const auto r = parse_new_message(json(c.payload), kLimits);
    ASSERT_FALSE(r.ok()) << c.payload;
    EXPECT_EQ(r.error().code, c.code) << c.payload;
    EXPECT_EQ(r.error().message, c.message) << c.payload;
  }
}

TEST(Validate, ContentSizeLimitIsConfigurable) {
  Limits small;
  small.max_content_bytes = 4;
  const auto ok =
      json(R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"1234"})");
  EXPECT_EQ(code_of(parse_new_message(ok, small)), "OK");
  const auto big =
      json(R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"12345"})");
  EXPECT_EQ(code_of(parse_new_message(big, small)), "CONTENT_TOO_LARGE");
  // Bytes, not characters: "é" is two bytes in UTF-8.
  const auto utf8 =
      json(R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"ééé"})");
  EXPECT_EQ(code_of(parse_new_message(utf8, small)), "CONTENT_TOO_LARGE");
}

// A new_message payload whose `content` (or `field`) holds exactly these bytes, built without
// the JSON parser so that any byte sequence can be tried.
rapidjson::Document message_with(const std::string& bytes, const char* field = "content") {
  rapidjson::Document d = json(kGoodMessage);
  d[field].SetString(bytes.data(), static_cast<rapidjson::SizeType>(bytes.size()),
                     d.GetAllocator());
  return d;
}

std::string content_error(const std::string& bytes, const char* field = "content") {
  const auto r = parse_new_message(message_with(bytes, field), kLimits);
  return r.ok() ? "OK" : r.error().code + ": " + r.error().message;
}

TEST(Validate, ContentMustBeNulFreeUtf8) {
  // Both stores keep the same text: PostgreSQL refuses what SQLite would silently store.
  EXPECT_EQ(content_error(std::string("a\0b", 3)),
            "VALIDATION_ERROR: content must not contain NUL characters");
  const std::vector<std::string> bad = {
      "\x80",              // a continuation byte first
      "ab\xc5",            // truncated two-byte sequence
      "\xe2\x82",          // truncated three-byte sequence
      "\xc0\xaf",          // overlong '/'
      "\xe0\x80\xaf",      // overlong, three bytes
      "\xf0\x80\x80\xaf",  // overlong, four bytes
      "\xed\xa0\x80",      // U+D800: a surrogate (what a lone \ud800 escape would become)
      "\xed\xbf\xbf",      // U+DFFF
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xf5\x80\x80\x80",  // no such lead byte
      "\xff",
      "ok \xc3\x28 then",                        // a lead byte followed by ASCII
      "0123456789abcdef\xc5",                    // after a run read eight bytes at a time
      "01234567 \xf0\x9f\x98\x80 01234567\x80",  // ... and after a valid sequence
  };
  for (const auto& bytes : bad)
    EXPECT_EQ(content_error(bytes), "VALIDATION_ERROR: content is not valid UTF-8") << bytes;
  const std::vector<std::string> good = {
      "plain",
      "P\xc5\x99\xc3\xadli\xc5\xa1",  // Příliš
      "\xe2\x82\xac",                 // U+20AC
      "\xed\x9f\xbf",                 // U+D7FF, just below the surrogates
      "\xee\x80\x80",                 // U+E000, just above them
      "\xf0\x9f\x98\x80",             // an emoji
      "\xf4\x8f\xbf\xbf",             // U+10FFFF
      "line\nbreak\ttab",             // control characters are fine in content
      "0123456789 \xf0\x9f\x98\x80 0123456789abcdef \xc5\x99",
  };
  for (const auto& bytes : good) EXPECT_EQ(content_error(bytes), "OK") << bytes;
}

TEST(Validate, IdsMustBeUtf8) {
  EXPECT_EQ(content_error("c\xed\xa0\x80", "client_message_id"),
            "VALIDATION_ERROR: client_message_id is not valid UTF-8");
  EXPECT_EQ(content_error("\xc5\x99", "client_message_id"), "OK");
}

TEST(Validate, IdsHaveALengthLimit) {
  Limits l;
  l.max_id_bytes = 3;
  EXPECT_EQ(code_of(required_id(json(R"({"x":"abc"})"), "x", l)), "OK");
  EXPECT_EQ(code_of(required_id(json(R"({"x":"abcd"})"), "x", l)), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(required_id(json(R"({"x":12345})"), "x", l)), "OK") << "numbers are not cut";
}

TEST(Validate, Credentials) {
  const auto ok =
      parse_credentials(json(R"({"token":"t","user_id":"u1","user_role":"seller"})"), kLimits);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->user_id, "u1");
  EXPECT_EQ(ok->role, store::Role::Seller);
  EXPECT_EQ(ok->token, "t");
  const auto numeric =
      parse_credentials(json(R"({"token":"t","user_id":7,"user_role":"BUYER"})"), kLimits);
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->user_id, "7");

  auto reason = [](const Result<Credentials>& r) { return r.ok() ? "OK" : r.error().message; };
  EXPECT_EQ(reason(parse_credentials(json(R"({"user_id":"u1","user_role":"BUYER"})"), kLimits)),
            "token missing");
  EXPECT_EQ(reason(parse_credentials(json(R"({"token":"t","user_role":"BUYER"})"), kLimits)),
            "user_id missing");
  EXPECT_EQ(reason(parse_credentials(json(R"({"token":"t","user_id":"u1"})"), kLimits)),
            "user_role missing");
  EXPECT_EQ(reason(parse_credentials(json(R"({"token":"t","user_id":"u1","user_role":"ADMIN"})"),
                                     kLimits)),
            "user_role must be BUYER or SELLER");
  EXPECT_EQ(reason(check_credentials("t", std::nullopt, "BUYER", kLimits)), "user_id missing");
  EXPECT_EQ(code_of(check_credentials("t", "u1", "BUYER", kLimits)), "OK");
  EXPECT_EQ(code_of(parse_credentials(json("[1]"), kLimits)), "UNAUTHORIZED");
}

TEST(Validate, CreateRoom) {
  const auto r = parse_create_room(
      json(R"({"type":"BS","buyer":"b1","seller":"s1","shop_id":42,"creator":"b1"})"), kLimits);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->buyer, "b1");
  EXPECT_EQ(r->seller, "s1");
  EXPECT_EQ(r->shop_id, "42");
  EXPECT_EQ(r->creator, "b1");
  EXPECT_EQ(check_create_room(*r, "b1"), std::nullopt);
  EXPECT_EQ(check_create_room(*r, "s1")->code, "FORBIDDEN") << "creator is someone else";
  EXPECT_EQ(check_create_room(*r, "x9")->code, "FORBIDDEN");

  const auto no_creator = parse_create_room(json(R"({"buyer":"b1","seller":"s1"})"), kLimits);
  ASSERT_TRUE(no_creator.ok());
  EXPECT_EQ(no_creator->creator, "");
  EXPECT_EQ(check_create_room(*no_creator, "s1"), std::nullopt);

  const auto same = parse_create_room(json(R"({"buyer":"b1","seller":"b1"})"), kLimits);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(check_create_room(*same, "b1")->code, "VALIDATION_ERROR");

  EXPECT_EQ(code_of(parse_create_room(json(R"({"type":"XX","buyer":"b","seller":"s"})"), kLimits)),
            "VALIDATION_ERROR");
  EXPECT_EQ(code_of(parse_create_room(json(R"({"seller":"s"})"), kLimits)), "VALIDATION_ERROR");
}

TEST(Validate, ConversationChecks) {
  const Participants room{"b1", "s1"};
  EXPECT_EQ(check_conversation(room, "b1", "b1", "s1"), std::nullopt);
  EXPECT_EQ(check_conversation(room, "s1", "s1", "b1"), std::nullopt);
  EXPECT_EQ(check_conversation(room, "b1", "s1", "b1")->message,
            "from must be the authenticated user");
  EXPECT_EQ(check_conversation(room, "x1", "x1", "s1")->message,
            "you are not a participant of this room");
  EXPECT_EQ(check_conversation(room, "b1", "b1", "b1")->code, "FORBIDDEN");
  EXPECT_EQ(check_conversation(room, "b1", "b1", "zz")->code, "FORBIDDEN");
}

TEST(Validate, SeenMessages) {
  const auto r = parse_seen_messages(
      json(R"({"room_id":"b1.s1","from":"s1","to":"b1","message_ids":["a","b"]})"), kLimits);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->message_ids);
  EXPECT_EQ(*r->message_ids, (std::vector<std::string>{"a", "b"}));

  const auto all =
      parse_seen_messages(json(R"({"room_id":"b1.s1","from":"s1","to":"b1"})"), kLimits);
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->message_ids);

  std::string many = R"({"room_id":"b1.s1","from":"s1","to":"b1","message_ids":[)";
  for (int i = 0; i < 101; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  many += "]}";
  EXPECT_EQ(code_of(parse_seen_messages(json(many), kLimits)), "TOO_MANY_IDS");
  EXPECT_EQ(code_of(parse_seen_messages(
                json(R"({"room_id":"b1.s1","from":"s1","to":"b1","message_ids":"a"})"), kLimits)),
            "VALIDATION_ERROR");
  EXPECT_EQ(code_of(parse_seen_messages(
                json(R"({"room_id":"b1.s1","from":"s1","to":"b1","message_ids":[{}]})"), kLimits)),
            "VALIDATION_ERROR");
}

TEST(Validate, Sync) {
  const auto none = parse_sync(rapidjson::Value(), kLimits);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->since_id);
  EXPECT_FALSE(none->since_time);
  EXPECT_EQ(none->limit, kLimits.default_sync_limit);

  const auto by_id =
      parse_sync(json(R"({"since":"01HF0000000000000000000000","limit":5})"), kLimits);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->since_id, std::optional<std::string>("01HF0000000000000000000000"));
  EXPECT_EQ(by_id->limit, 5u);

  const auto by_ms = parse_sync(json(R"({"since":1700000000000})"), kLimits);
  ASSERT_TRUE(by_ms.ok());
  EXPECT_EQ(by_ms->since_time, 1700000000000);

  const auto by_iso =
      parse_sync(json(R"({"since":"2023-11-14T22:13:20.000Z","limit":100000})"), kLimits);
  ASSERT_TRUE(by_iso.ok());
  EXPECT_EQ(by_iso->since_time, 1700000000000);
  EXPECT_EQ(by_iso->limit, kLimits.max_sync_limit);

  EXPECT_EQ(code_of(parse_sync(json(R"({"since":"yesterday"})"), kLimits)), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(parse_sync(json(R"({"limit":0})"), kLimits)), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(parse_sync(json(R"({"limit":"5"})"), kLimits)), "VALIDATION_ERROR");
  EXPECT_EQ(code_of(parse_sync(json(R"("x")"), kLimits)), "VALIDATION_ERROR");
}

TEST(Validate, UserStatusRequest) {
  const auto r = parse_user_status_request(json(R"({"user_ids":["a",2]})"), kLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"a", "2"}));
  std::string many = R"({"user_ids":[)";
  for (int i = 0; i < 101; ++i) many += (i ? "," : "") + std::to_string(i);
  many += "]}";
  EXPECT_EQ(code_of(parse_user_status_request(json(many), kLimits)), "TOO_MANY_IDS");
  EXPECT_EQ(code_of(parse_user_status_request(json(R"({})"), kLimits)), "VALIDATION_ERROR");
}

TEST(Validate, StoreErrorsAreMappedForClients) {
  EXPECT_EQ(client_error_from_store({"ROOM_NOT_FOUND", "no room x"}).message, "no room x");
  EXPECT_EQ(client_error_from_store({"STORE_UNAVAILABLE", "busy"}).code, "STORE_UNAVAILABLE");
  const auto hidden = client_error_from_store({"STORE_ERROR", "SQLITE_CORRUPT at page 7"});
  EXPECT_EQ(hidden.code, "INTERNAL");
  EXPECT_EQ(hidden.message.find("SQLITE"), std::string::npos);
}

}  // namespace
}  // namespace cz::messenger
