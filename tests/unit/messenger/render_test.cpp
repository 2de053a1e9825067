#include "messenger/render.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace cz::messenger {
namespace {

constexpr store::TimeMs kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20.000Z

store::Message sample_message() {
  store::Message m;
  m.id = "01HF0000000000000000000000";
  m.room_id = "b1.s1";
  m.from = "b1";
  m.to = "s1";
  m.type = store::MessageType::Image;
  m.content = "https://x/y.png \"quoted\" \n";
  m.client_message_id = "c-1";
  m.created_at = kT0;
  m.updated_at = kT0 + 1;
  return m;
}

rapidjson::Document parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

TEST(Render, MessageHasTheOriginalFieldNames) {
  const auto d = parse(render_message(sample_message()));
  EXPECT_STREQ(d["_id"].GetString(), "01HF0000000000000000000000");
  EXPECT_STREQ(d["room_id"].GetString(), "b1.s1");
  EXPECT_STREQ(d["from"].GetString(), "b1");
  EXPECT_STREQ(d["to"].GetString(), "s1");
  EXPECT_STREQ(d["type"].GetString(), "IMAGE");
  EXPECT_STREQ(d["content"].GetString(), "https://x/y.png \"quoted\" \n");
  EXPECT_STREQ(d["client_message_id"].GetString(), "c-1");
  EXPECT_FALSE(d["is_seen"].GetBool());
  EXPECT_STREQ(d["created_at"].GetString(), "2023-11-14T22:13:20.000Z");
  EXPECT_STREQ(d["updated_at"].GetString(), "2023-11-14T22:13:20.001Z");
  EXPECT_EQ(d.MemberCount(), 10u);
}

TEST(Render, MessageWithoutClientIdOmitsIt) {
  auto m = sample_message();
  m.client_message_id.clear();
  m.updated_at = 0;
  m.is_seen = true;
  const auto d = parse(render_message(m));
  EXPECT_FALSE(d.HasMember("client_message_id"));
  EXPECT_TRUE(d["is_seen"].GetBool());
  EXPECT_STREQ(d["updated_at"].GetString(), "2023-11-14T22:13:20.000Z");
}

store::Room sample_room() {
  store::Room r;
  r.id = "b1.s1";
  r.creator = "b1";
  r.buyer = "b1";
  r.seller = "s1";
  r.shop_id = "shop-7";
  r.shop_json = R"({"name":"Shop Seven"})";
  r.buyer_info_json = R"({"name":"Bob","avatar":null})";
  r.buyer_last_message = store::LastMessage{sample_message(), true};
  r.seller_last_message = store::LastMessage{sample_message(), false};
  r.buyer_unseen_messages = 0;
  r.seller_unseen_messages = 3;
  r.pinned_by_seller = kT0 + 5000;
  r.deleted_by_buyer = true;
  r.buyer_deleted_at = kT0 + 1000;
  r.created_at = kT0;
  r.updated_at = kT0 + 9000;
  return r;
}

TEST(Render, FullRoomHasBothSides) {
  const auto d = parse(render_room(sample_room()));
  EXPECT_STREQ(d["_id"].GetString(), "b1.s1");
  EXPECT_STREQ(d["type"].GetString(), "BS");
  EXPECT_STREQ(d["shop"]["name"].GetString(), "Shop Seven");
  EXPECT_STREQ(d["buyer_info"]["name"].GetString(), "Bob");
  EXPECT_TRUE(d["buyer_last_message"]["is_seen"].GetBool());
  EXPECT_FALSE(d["seller_last_message"]["is_seen"].GetBool());
  EXPECT_STREQ(d["seller_last_message"]["_id"].GetString(), "01HF0000000000000000000000");
  EXPECT_EQ(d["seller_unseen_messages"].GetInt64(), 3);
  EXPECT_EQ(d["buyer_unseen_messages"].GetInt64(), 0);
  EXPECT_STREQ(d["pinned_by_seller"].GetString(), "2023-11-14T22:13:25.000Z");
  EXPECT_FALSE(d.HasMember("pinned_by_buyer"));
  EXPECT_TRUE(d["deleted_by_buyer"].GetBool());
  EXPECT_FALSE(d["deleted_by_seller"].GetBool());
  EXPECT_STREQ(d["buyer_deleted_at"].GetString(), "2023-11-14T22:13:21.000Z");
  EXPECT_TRUE(d["enable"].GetBool());
  EXPECT_STREQ(d["updated_at"].GetString(), "2023-11-14T22:13:29.000Z");
}

TEST(Render, BuyerProjectionShowsOnlyTheBuyersSide) {
  const auto d = parse(render_room_for(sample_room(), store::Role::Buyer));
  EXPECT_TRUE(d.HasMember("shop"));
  EXPECT_FALSE(d.HasMember("buyer_info"));
  EXPECT_TRUE(d.HasMember("buyer_last_message"));
  EXPECT_FALSE(d.HasMember("seller_last_message"));
  EXPECT_TRUE(d.HasMember("buyer_unseen_messages"));
  EXPECT_FALSE(d.HasMember("seller_unseen_messages"));
  EXPECT_FALSE(d.HasMember("pinned_by_seller"));
  EXPECT_TRUE(d["deleted_by_buyer"].GetBool());
}

TEST(Render, SellerProjectionShowsOnlyTheSellersSide) {
  const auto d = parse(render_room_for(sample_room(), store::Role::Seller));
  EXPECT_FALSE(d.HasMember("shop"));
  EXPECT_STREQ(d["buyer_info"]["name"].GetString(), "Bob");
  EXPECT_FALSE(d["seller_last_message"]["is_seen"].GetBool());
  EXPECT_FALSE(d.HasMember("buyer_last_message"));
  EXPECT_EQ(d["seller_unseen_messages"].GetInt64(), 3);
  EXPECT_STREQ(d["pinned_by_seller"].GetString(), "2023-11-14T22:13:25.000Z");
  EXPECT_FALSE(d.HasMember("deleted_by_buyer"));
}

TEST(Render, RoomWithoutLastMessagesOrShop) {
  store::Room r;
  r.id = "a.b";
  r.buyer = "a";
  r.seller = "b";
  r.shop_json = "null";
  r.buyer_info_json = "";
  const auto d = parse(render_room(r));
  EXPECT_TRUE(d["shop"].IsNull());
  EXPECT_TRUE(d["buyer_info"].IsNull());
  EXPECT_TRUE(d["buyer_last_message"].IsNull());
}

TEST(Render, ErrorBody) {
  const auto d = parse(render_error(Error{"FORBIDDEN", "not \"yours\""}));
  EXPECT_STREQ(d["error"]["code"].GetString(), "FORBIDDEN");
  EXPECT_STREQ(d["error"]["message"].GetString(), "not \"yours\"");
}

}  // namespace
}  // namespace cz::messenger
