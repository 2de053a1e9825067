// Validation of each route's parameters, identity rules and room details.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "messenger/rest/params.hpp"
#include "messenger/room_details.hpp"
#include "util/ids.hpp"

namespace cz::messenger::rest {
namespace {

using store::Role;

rapidjson::Document json(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

query::Params query(const std::string& q) {
  auto parsed = query::Params::parse_strict("/x?" + q);
  EXPECT_TRUE(parsed);
  return *parsed;
}

const Limits kLimits{};
const Caller kBuyer{"b1", Role::Buyer};
const Caller kNoRole{"b1", std::nullopt};

std::string code_of(const Error& e) {
  return e.code;
}

// --- identity ------------------------------------------------------------------------------

TEST(RestIdentity, AbsentParametersTakeTheTokensValues) {
  auto a = resolve_identity(kBuyer, {});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->user_id, "b1");
  EXPECT_EQ(a->role, Role::Buyer);
  auto b = resolve_identity(kNoRole, {});
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->role);
}

TEST(RestIdentity, MatchingParametersAreAccepted) {
  auto a = resolve_identity(kBuyer, {"b1", "buyer"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->role, Role::Buyer);
  // Without a role claim the client's role is taken (and later checked against the room).
  auto b = resolve_identity(kNoRole, {"b1", "SELLER"});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->role, Role::Seller);
}

TEST(RestIdentity, AnotherUserOrRoleIsForbidden) {
  auto other_user = resolve_identity(kBuyer, {"s1", std::nullopt});
  ASSERT_FALSE(other_user);
  EXPECT_EQ(code_of(other_user.error()), "FORBIDDEN");
  auto other_role = resolve_identity(kBuyer, {std::nullopt, "SELLER"});
  ASSERT_FALSE(other_role);
  EXPECT_EQ(code_of(other_role.error()), "FORBIDDEN");
  auto bad_role = resolve_identity(kNoRole, {std::nullopt, "ADMIN"});
  ASSERT_FALSE(bad_role);
  EXPECT_EQ(code_of(bad_role.error()), "VALIDATION_ERROR");
}

TEST(RestIdentity, ReadsQueryAndBody) {
  auto q = identity_from_query(query("user_id=b1&role=SELLER"), kLimits);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->user_id, "b1");
  EXPECT_EQ(q->role, "SELLER");
  EXPECT_FALSE(identity_from_query(query("user_id="), kLimits));
  EXPECT_FALSE(identity_from_query(query("user_id=" + std::string(200, 'x')), kLimits));
  EXPECT_FALSE(identity_from_query(query("user_id=a%01"), kLimits));

  auto b = identity_from_body(json(R"({"user_id":7,"role":"BUYER"})"), kLimits);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->user_id, "7");
  EXPECT_EQ(b->role, "BUYER");
  auto none = identity_from_body(json(R"({"user_id":null})"), kLimits);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->user_id);
  EXPECT_FALSE(identity_from_body(json(R"({"user_id":true})"), kLimits));
  EXPECT_FALSE(identity_from_body(json(R"({"role":1})"), kLimits));
  EXPECT_FALSE(identity_from_body(json(R"({"user_id":""})"), kLimits));
}

store::Room room_b1_s1() {
  store::Room r;
  r.id = "b1.s1";
  r.buyer = "b1";
  r.seller = "s1";
  return r;
}

TEST(RestIdentity, SideInRoom) {
  const auto room = room_b1_s1();
  EXPECT_EQ(*side_in_room(room, {"b1", std::nullopt}), Role::Buyer);
  EXPECT_EQ(*side_in_room(room, {"s1", Role::Seller}), Role::Seller);
  auto other_side = side_in_room(room, {"b1", Role::Seller});
  ASSERT_FALSE(other_side);
  EXPECT_EQ(code_of(other_side.error()), "FORBIDDEN");
  auto stranger = side_in_room(room, {"x", std::nullopt});
  ASSERT_FALSE(stranger);
  EXPECT_EQ(code_of(stranger.error()), "FORBIDDEN");
}

// --- path parameters -----------------------------------------------------------------------

TEST(RestPathParams, RoomId) {
  EXPECT_EQ(*room_id_param("b1.s1", kLimits), "b1.s1");
  EXPECT_EQ(*room_id_param("b%201.s1", kLimits), "b 1.s1");
  EXPECT_FALSE(room_id_param("nodot", kLimits));
  EXPECT_FALSE(room_id_param("", kLimits));
  EXPECT_FALSE(room_id_param("a.%00b", kLimits));
  EXPECT_FALSE(room_id_param("a.%zz", kLimits));
  // Built by append: GCC 12 at -O2 warns falsely (-Warray-bounds) on `std::string(n, c) + "..."`.
  std::string too_long(300, 'a');
  too_long.append(".b");
  EXPECT_FALSE(room_id_param(too_long, kLimits));
}

TEST(RestPathParams, MessageId) {
  EXPECT_EQ(*message_id_param("01HF0000000000000000000000", kLimits), "01HF0000000000000000000000");
  EXPECT_FALSE(message_id_param("", kLimits));
  EXPECT_FALSE(message_id_param(std::string(129, 'a'), kLimits));
  EXPECT_FALSE(message_id_param("a%0Ab", kLimits));
}

// --- GET /v1/rooms -------------------------------------------------------------------------

TEST(RestListRooms, TakesRoleNameAndPinned) {
  auto q = parse_list_rooms(query("name=Shop+A&pinned=1"), {"b1", Role::Seller}, 256);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->user_id, "b1");
  EXPECT_EQ(q->role, Role::Seller);
  EXPECT_EQ(q->name, "Shop A");
  EXPECT_EQ(q->pinned, true);
  EXPECT_EQ(parse_list_rooms(query("pinned=0"), {"b1", Role::Buyer}, 256)->pinned, false);
  EXPECT_FALSE(parse_list_rooms(query(""), {"b1", Role::Buyer}, 256)->pinned);
  EXPECT_FALSE(parse_list_rooms(query("name="), {"b1", Role::Buyer}, 256)->name);
}

TEST(RestListRooms, RefusesBadParameters) {
  EXPECT_FALSE(parse_list_rooms(query(""), {"b1", std::nullopt}, 256));  // no role anywhere
  EXPECT_FALSE(parse_list_rooms(query("pinned=yes"), {"b1", Role::Buyer}, 256));
  EXPECT_FALSE(parse_list_rooms(query("name=" + std::string(300, 'a')), {"b1", Role::Buyer}, 256));
  EXPECT_FALSE(parse_list_rooms(query("name=a%0Ab"), {"b1", Role::Buyer}, 256));
}

// Found by fuzzing (fuzz_rest_params): a name filter of invalid UTF-8, raw or percent-encoded,
// went on to the store as it was.
TEST(RestListRooms, RefusesANameThatIsNotUtf8) {
  const Acting alice{"alice", Role::Buyer};
  for (const char* q :
       {"name=sh%C3%B6p+\x8fone", "name=sh%C3%B6p+%8Fone", "name=%C3", "name=%ED%A0%80"})
    EXPECT_FALSE(parse_list_rooms(query(q), alice, 256)) << q;
  const auto accented = parse_list_rooms(query("name=sh%C3%B6p"), alice, 256);
  ASSERT_TRUE(accented);
  EXPECT_EQ(accented->name, "sh\xc3\xb6p");
}

// Found by fuzzing (fuzz_rest_params): ids of the query and the path were taken without a UTF-8
// check ("/v1/messages/me%DC" gave the id "me\xdc"), unlike the socket events' ids.
TEST(RestIds, RefuseIdsThatAreNotUtf8) {
  EXPECT_FALSE(message_id_param("me%DC", kLimits));
  EXPECT_FALSE(message_id_param("me\xdc", kLimits));
  EXPECT_FALSE(room_id_param("alice%2Ex.b%C3", kLimits));
  EXPECT_FALSE(identity_from_query(query("user_id=b%ED%A0%80"), kLimits));
  EXPECT_EQ(*room_id_param("alic%C3%A9.bob", kLimits), "alic\xc3\xa9.bob");
  EXPECT_EQ(*message_id_param("m%C3%A9", kLimits), "m\xc3\xa9");
}

// --- GET /v1/messages ----------------------------------------------------------------------

TEST(RestListMessages, Defaults) {
  auto p = parse_list_messages(query("room_id=b1.s1"), kLimits, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->query.room_id, "b1.s1");
  EXPECT_EQ(p->query.limit, 15u);
  EXPECT_EQ(p->query.order, store::Order::OldestFirst);
  EXPECT_FALSE(p->query.cursor_id);
  EXPECT_FALSE(p->query.before);
  EXPECT_FALSE(p->from);
}

TEST(RestListMessages, AllParameters) {
  const std::string id = generate_id().id;
  auto p = parse_list_messages(
      query("room_id=b1.s1&limit=40&from=2026-01-02T03:04:05.678Z&created_at=-1&cursor=" + id),
      kLimits, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->query.limit, 40u);
  EXPECT_EQ(p->query.order, store::Order::NewestFirst);
  EXPECT_EQ(p->query.cursor_id, id);
  ASSERT_TRUE(p->from);
  EXPECT_EQ(*p->query.before, *p->from);
  EXPECT_EQ(parse_list_messages(query("room_id=b1.s1&from=1700000000000"), kLimits, {})->from,
            1'700'000'000'000);
  EXPECT_EQ(parse_list_messages(query("room_id=b1.s1&created_at=1"), kLimits, {})->query.order,
            store::Order::OldestFirst);
}

TEST(RestListMessages, LimitIsCapped) {
  EXPECT_EQ(parse_list_messages(query("room_id=a.b&limit=100"), kLimits, {})->query.limit, 100u);
  EXPECT_EQ(parse_list_messages(query("room_id=a.b&limit=101"), kLimits, {})->query.limit, 100u);
  EXPECT_EQ(
      parse_list_messages(query("room_id=a.b&limit=99999999999999999"), kLimits, {})->query.limit,
      100u);
}

TEST(RestListMessages, RefusesBadParameters) {
  for (const char* q :
       {"", "room_id=", "room_id=nodot", "room_id=a.b&limit=0", "room_id=a.b&limit=-5",
        "room_id=a.b&limit=abc", "room_id=a.b&limit=1.5",
        "room_id=a.b&limit=", "room_id=a.b&limit=+3", "room_id=a.b&limit=999999999999999999999999",
        "room_id=a.b&from=yesterday", "room_id=a.b&created_at=0", "room_id=a.b&created_at=desc",
        "room_id=a.b&cursor=nope", "room_id=a.b&cursor=01HF000000000000000000000"}) {
    auto p = parse_list_messages(query(q), kLimits, {});
    ASSERT_FALSE(p) << q;
    EXPECT_EQ(code_of(p.error()), "VALIDATION_ERROR") << q;
  }
}

// --- POST /v1/rooms ------------------------------------------------------------------------

TEST(RestCreateRoom, TheOriginalsBody) {
  auto r = parse_create_room_body(json(R"({"type":"BS","buyer":"b1","seller":"s1","shop_id":9})"),
                                  {"b1", Role::Buyer}, kLimits, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->buyer, "b1");
  EXPECT_EQ(r->seller, "s1");
  EXPECT_EQ(r->shop_id, "9");
  EXPECT_EQ(r->creator, "b1");  // defaults to the caller
  EXPECT_EQ(r->shop_json, "null");
  EXPECT_EQ(r->buyer_info_json, "null");
}

TEST(RestCreateRoom, KeepsShopAndKnownBuyerInfoFields) {
  auto r = parse_create_room_body(json(R"({"buyer":"b1","seller":"s1","creator":"s1",
               "shop":{"name":"Shop A","logo":"https://x/l.png","tags":["a"]},
               "buyer_info":{"name":"Bob","avatar":null,"email":"b@x","extra":"dropped"}})"),
                                  {"s1", std::nullopt}, kLimits, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->creator, "s1");
  EXPECT_EQ(r->shop_json, R"({"name":"Shop A","logo":"https://x/l.png","tags":["a"]})");
  EXPECT_EQ(r->buyer_info_json, R"({"name":"Bob","avatar":null,"email":"b@x"})");
}

TEST(RestCreateRoom, Refusals) {
  struct Case {
    const char* body;
    Acting acting;
    const char* code;
  };
  const Case cases[] = {
      {R"({"buyer":"b1","seller":"b1"})", {"b1", std::nullopt}, "VALIDATION_ERROR"},
      {R"({"buyer":"b1"})", {"b1", std::nullopt}, "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","type":"XX"})", {"b1", std::nullopt}, "VALIDATION_ERROR"},
      {R"({"buyer":"x","seller":"y"})", {"b1", std::nullopt}, "FORBIDDEN"},
      {R"({"buyer":"b1","seller":"s1","creator":"s1"})", {"b1", std::nullopt}, "FORBIDDEN"},
      {R"({"buyer":"b1","seller":"s1"})", {"b1", Role::Seller}, "FORBIDDEN"},
      {R"({"buyer":"b1","seller":"s1","shop":"Shop"})", {"b1", std::nullopt}, "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","shop":{}})", {"b1", std::nullopt}, "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","shop":{"name":""}})",
       {"b1", std::nullopt},
       "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","shop":{"name":1}})",
       {"b1", std::nullopt},
       "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","shop":{"name":"a","x":[[[[[1]]]]]}})",
       {"b1", std::nullopt},
       "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","buyer_info":[]})", {"b1", std::nullopt}, "VALIDATION_ERROR"},
      {R"({"buyer":"b1","seller":"s1","buyer_info":{"name":5}})",
       {"b1", std::nullopt},
       "VALIDATION_ERROR"},
  };
  for (const auto& c : cases) {
    auto r = parse_create_room_body(json(c.body), c.acting, kLimits, {});
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(code_of(r.error()), c.code) << c.body;
  }
  auto same = parse_create_room_body(json(R"({"buyer":"b1","seller":"b1"})"), {"b1", std::nullopt},
                                     kLimits, {});
  EXPECT_EQ(same.error().message, "Buyer is the same to seller");
}

TEST(RestCreateRoom, ShopSizeIsBounded) {
  const std::string big =
      R"({"buyer":"b1","seller":"s1","shop":{"name":"a","d":")" + std::string(5000, 'x') + "\"}}";
  auto r = parse_create_room_body(json(big.c_str()), {"b1", std::nullopt}, kLimits, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(code_of(r.error()), "VALIDATION_ERROR");
}

// --- messages ------------------------------------------------------------------------------

TEST(RestPostMessage, FromMustBeTheCaller) {
  const char* body = R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"hi"})";
  auto ok = parse_post_message(json(body), {"b1", std::nullopt}, kLimits);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->content, "hi");
  auto forged = parse_post_message(json(body), {"s1", std::nullopt}, kLimits);
  ASSERT_FALSE(forged);
  EXPECT_EQ(code_of(forged.error()), "FORBIDDEN");
  auto bad_type = parse_post_message(
      json(R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"VIDEO","content":"x"})"),
      {"b1", std::nullopt}, kLimits);
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(code_of(bad_type.error()), "UNKNOWN_MESSAGE_TYPE");
}

TEST(RestEditMessage, Content) {
  EXPECT_EQ(*parse_edit_message(json(R"({"content":"new"})"), kLimits), "new");
  for (const char* body : {"{}", R"({"content":null})", R"({"content":""})", R"({"content":5})"}) {
    auto r = parse_edit_message(json(body), kLimits);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(code_of(r.error()), "VALIDATION_ERROR") << body;
  }
  Limits small;
  small.max_content_bytes = 3;
  auto big = parse_edit_message(json(R"({"content":"abcd"})"), small);
  ASSERT_FALSE(big);
  EXPECT_EQ(code_of(big.error()), "CONTENT_TOO_LARGE");
}

// An edit is held to what new_message accepts (one check_content): the escapes below decode to
// a lone surrogate and a NUL, which PostgreSQL refuses and no text frame may carry.
TEST(RestEditMessage, RefusesWhatNewMessageRefuses) {
  for (const char* body : {R"({"content":"bad\udc00end"})", R"({"content":"a\u0000b"})",
                           R"({"content":"bad\udc00\u0000end"})"}) {
    auto r = parse_edit_message(json(body), kLimits);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(code_of(r.error()), "VALIDATION_ERROR") << body;
    const std::string post =
        std::string(R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT",)") + (body + 1);
    auto created = parse_post_message(json(post.c_str()), {"b1", std::nullopt}, kLimits);
    ASSERT_FALSE(created) << body;
    EXPECT_EQ(r.error().message, created.error().message) << body;
  }
  EXPECT_EQ(*parse_edit_message(json(R"({"content":"caf\u00e9 \ud83d\ude00"})"), kLimits),
            "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

}  // namespace
}  // namespace cz::messenger::rest
